import { openSqlite } from "../../../store/database.js";
import Database from "better-sqlite3";
import { LOG_MIGRATIONS } from "./schema.js";

export type LogDb = Database.Database;

/**
 * Opens the log store's own SQLite file: heavy logging never waits on the control plane's
 * database lock, and retention can shrink this file without touching the other.
 */
export function openLogDatabase(file: string): LogDb {
  // A killed process loses at most the last batch still in memory, never a committed one;
  // INCREMENTAL vacuum lets the retention sweep give freed pages back to the disk.
  return openSqlite(file, LOG_MIGRATIONS, { incrementalVacuum: true });
}
