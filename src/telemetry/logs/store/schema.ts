/**
 * Schema of `<data-dir>/logs.db`, applied in order by PRAGMA user_version. Append only: a
 * released migration is never edited.
 */
export const LOG_MIGRATIONS: readonly string[] = [
  `
  -- AUTOINCREMENT: a deleted group's id is never reused, so events the sweeper has not yet
  -- removed can never show up in a new group of the same name.
  CREATE TABLE log_groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    retention_days INTEGER,
    stored_bytes INTEGER NOT NULL DEFAULT 0
  );

  CREATE TABLE log_streams (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    first_event_time INTEGER,
    last_event_time INTEGER,
    last_ingestion_time INTEGER,
    stored_bytes INTEGER NOT NULL DEFAULT 0,
    UNIQUE (group_id, name)
  );
  CREATE INDEX log_streams_last_event ON log_streams(group_id, last_event_time);

  -- A stream id implies its group, so (stream_id, timestamp) serves (group, stream, timestamp)
  -- reads; (group_id, timestamp) serves scans across a group and retention. SQLite appends
  -- the rowid to every index entry, so both also order ties by id.
  CREATE TABLE log_events (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL,
    stream_id INTEGER NOT NULL,
    timestamp INTEGER NOT NULL,
    ingestion_time INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    message TEXT NOT NULL
  );
  CREATE INDEX log_events_stream_time ON log_events(stream_id, timestamp);
  CREATE INDEX log_events_group_time ON log_events(group_id, timestamp);

  -- Groups and streams deleted through the API: they disappear at once, their events are
  -- removed by the sweeper in bounded batches (stream_id NULL: the whole group).
  CREATE TABLE log_purges (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL,
    stream_id INTEGER
  );
  `,
];
