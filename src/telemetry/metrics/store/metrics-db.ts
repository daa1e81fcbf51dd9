import { openSqlite } from "../../../store/database.js";
import Database from "better-sqlite3";

export type MetricsDb = Database.Database;

/**
 * Metrics live in their own file (`<data-dir>/metrics.db`): they are written every second by
 * the data plane and swept by age, and keeping them apart leaves the control-plane store's
 * write lock and its backups alone. A series is one service (instance = '') or one instance.
 * A minute row is a CloudWatch statistic set; `hist` is the latency histogram (JSON) or null.
 * series_metrics remembers which metrics a series has and when it last had data, so
 * ListMetrics does not scan minutes.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE series (
     id INTEGER PRIMARY KEY,
     service_id TEXT NOT NULL,
     service_name TEXT NOT NULL,
     instance TEXT NOT NULL DEFAULT '',
     UNIQUE (service_id, instance)
   );
   CREATE TABLE minutes (
     series_id INTEGER NOT NULL REFERENCES series(id),
     metric TEXT NOT NULL,
     minute INTEGER NOT NULL,
     sum REAL NOT NULL,
     count REAL NOT NULL,
     min REAL NOT NULL,
     max REAL NOT NULL,
     hist TEXT,
     PRIMARY KEY (series_id, metric, minute)
   ) WITHOUT ROWID;
   CREATE INDEX minutes_by_age ON minutes (minute);
   CREATE TABLE series_metrics (
     series_id INTEGER NOT NULL REFERENCES series(id),
     metric TEXT NOT NULL,
     last_minute INTEGER NOT NULL,
     PRIMARY KEY (series_id, metric)
   ) WITHOUT ROWID;`,
];

export function openMetricsDb(file: string): MetricsDb {
  // WAL + NORMAL: a crash may lose the last second of samples, never corrupt the file.
  return openSqlite(file, MIGRATIONS);
}
