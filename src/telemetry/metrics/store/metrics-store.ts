import type Database from "better-sqlite3";
import { AppRunnerError } from "../../../errors/app-runner-error.js";
import type { ServiceRef } from "../catalog.js";
import { decodeHistogram, encodeHistogram } from "../histogram.js";
import type { MinuteSet } from "../rollup.js";
import type { StatSet } from "../statistics.js";
import { openMetricsDb, type MetricsDb } from "./metrics-db.js";

export interface SeriesKey extends ServiceRef {
  /** '' for service-level series. */
  instance: string;
}

export interface StoredSeries extends SeriesKey {
  id: number;
}

export interface SeriesMetric extends SeriesKey {
  metric: string;
  lastMinute: number;
}

interface MinuteRow {
  minute: number;
  sum: number;
  count: number;
  min: number;
  max: number;
  hist: string | null;
}

interface SeriesRow {
  id: number;
  service_id: string;
  service_name: string;
  instance: string;
}

/** How a new report combines with what the minute already holds (see MetricKind). */
export type MinuteMerge = (prior: StatSet | undefined) => StatSet;

const toSet = (r: MinuteRow): StatSet => ({
  sum: r.sum,
  count: r.count,
  min: r.min,
  max: r.max,
  ...(r.hist !== null ? { hist: decodeHistogram(r.hist) } : {}),
});

/** Reads and writes of metrics.db; synchronous, like the rest of OpenRunner's SQLite access. */
export class MetricsStore {
  private readonly seriesIds = new Map<string, number>();
  private readonly stmts: {
    findSeries: Database.Statement<[string, string], SeriesRow>;
    insertSeries: Database.Statement<[string, string, string], { id: number }>;
    getMinute: Database.Statement<[number, string, number], MinuteRow>;
    putMinute: Database.Statement<[number, string, number, number, number, number, number, string | null]>;
    touch: Database.Statement<[number, string, number]>;
    readMinutes: Database.Statement<[number, string, number, number], MinuteRow>;
    listMetrics: Database.Statement<[number], SeriesMetric>;
    deleteMinutes: Database.Statement<[number]>;
    deleteSeriesMetrics: Database.Statement<[number]>;
    oldest: Database.Statement<[], { minute: number | null }>;
  };

  private constructor(private readonly db: MetricsDb) {
    this.stmts = {
      findSeries: db.prepare("SELECT id, service_id, service_name, instance FROM series WHERE service_id = ? AND instance = ?"),
      insertSeries: db.prepare("INSERT INTO series (service_id, service_name, instance) VALUES (?, ?, ?) RETURNING id"),
      getMinute: db.prepare("SELECT minute, sum, count, min, max, hist FROM minutes WHERE series_id = ? AND metric = ? AND minute = ?"),
      putMinute: db.prepare(
        "INSERT OR REPLACE INTO minutes (series_id, metric, minute, sum, count, min, max, hist) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      ),
      touch: db.prepare(
        `INSERT INTO series_metrics (series_id, metric, last_minute) VALUES (?, ?, ?)
         ON CONFLICT (series_id, metric) DO UPDATE SET last_minute = MAX(last_minute, excluded.last_minute)`,
      ),
      readMinutes: db.prepare(
        "SELECT minute, sum, count, min, max, hist FROM minutes WHERE series_id = ? AND metric = ? AND minute >= ? AND minute < ? ORDER BY minute",
      ),
      listMetrics: db.prepare(
        `SELECT s.service_id AS serviceId, s.service_name AS serviceName, s.instance AS instance, m.metric AS metric, m.last_minute AS lastMinute
         FROM series_metrics m JOIN series s ON s.id = m.series_id
         WHERE m.last_minute >= ? ORDER BY s.service_name, s.service_id, s.instance, m.metric`,
      ),
      deleteMinutes: db.prepare("DELETE FROM minutes WHERE minute < ?"),
      deleteSeriesMetrics: db.prepare("DELETE FROM series_metrics WHERE last_minute < ?"),
      oldest: db.prepare("SELECT MIN(minute) AS minute FROM minutes"),
    };
  }

  static open(file: string): MetricsStore {
    return new MetricsStore(openMetricsDb(file));
  }

  /** Applies several minute updates in one transaction (one report from the data plane). */
  record(key: SeriesKey, minute: number, updates: readonly { metric: string; merge: MinuteMerge }[]): void {
    this.db.transaction(() => {
      const id = this.seriesId(key);
      for (const { metric, merge } of updates) {
        const prior = this.stmts.getMinute.get(id, metric, minute);
        const next = merge(prior ? toSet(prior) : undefined);
        const hist = next.hist ? encodeHistogram(next.hist) : null;
        this.stmts.putMinute.run(id, metric, minute, next.sum, next.count, next.min, next.max, hist);
        this.stmts.touch.run(id, metric, minute);
      }
    })();
  }

  findSeries(serviceId: string, instance: string): StoredSeries | undefined {
    const row = this.stmts.findSeries.get(serviceId, instance);
    return row && { id: row.id, serviceId: row.service_id, serviceName: row.service_name, instance: row.instance };
  }

  /** Minute sets of one metric of one series for minutes in [fromMinute, toMinute). */
  readMinutes(seriesId: number, metric: string, fromMinute: number, toMinute: number): MinuteSet[] {
    return this.stmts.readMinutes.all(seriesId, metric, fromMinute, toMinute).map((r) => ({ minute: r.minute, set: toSet(r) }));
  }

  /** Every (series, metric) with data at or after `sinceMinute`, in a stable order for paging. */
  listMetrics(sinceMinute: number): SeriesMetric[] {
    return this.stmts.listMetrics.all(sinceMinute);
  }

  oldestMinute(): number | undefined {
    return this.stmts.oldest.get()?.minute ?? undefined;
  }

  /** Drops minutes before `minute` (and the metric listing of series with nothing newer). */
  deleteBefore(minute: number): number {
    return this.db.transaction(() => {
      const removed = this.stmts.deleteMinutes.run(minute).changes;
      this.stmts.deleteSeriesMetrics.run(minute);
      return removed;
    })();
  }

  close(): void {
    this.db.close();
  }

  private seriesId(key: SeriesKey): number {
    const cacheKey = `${key.serviceId}\u0000${key.instance}`;
    const cached = this.seriesIds.get(cacheKey);
    if (cached !== undefined) return cached;
    const id = this.stmts.findSeries.get(key.serviceId, key.instance)?.id ?? this.stmts.insertSeries.get(key.serviceId, key.serviceName, key.instance)?.id;
    if (id === undefined) throw new AppRunnerError("InternalServiceError", "The metrics store did not return a series id.");
    this.seriesIds.set(cacheKey, id);
    return id;
  }
}
