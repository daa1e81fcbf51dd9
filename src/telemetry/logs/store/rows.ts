/** Rows of logs.db as the API layer sees them (epoch milliseconds, bytes as stored). */
export interface GroupRow {
  id: number;
  name: string;
  createdAt: number;
  retentionDays: number | null;
  storedBytes: number;
}

export interface StreamRow {
  id: number;
  groupId: number;
  name: string;
  createdAt: number;
  firstEventTime: number | null;
  lastEventTime: number | null;
  lastIngestionTime: number | null;
  storedBytes: number;
}

export interface EventRow {
  id: number;
  streamId: number;
  timestamp: number;
  ingestionTime: number;
  message: string;
}

/** A position between events: everything is ordered by (timestamp, id). */
export interface EventCursor {
  t: number;
  i: number;
}

export const GROUP_COLUMNS = `id, name, created_at AS createdAt, retention_days AS retentionDays, stored_bytes AS storedBytes`;
export const STREAM_COLUMNS = `id, group_id AS groupId, name, created_at AS createdAt, first_event_time AS firstEventTime,
  last_event_time AS lastEventTime, last_ingestion_time AS lastIngestionTime, stored_bytes AS storedBytes`;
export const EVENT_COLUMNS = `id, stream_id AS streamId, timestamp, ingestion_time AS ingestionTime, message`;
