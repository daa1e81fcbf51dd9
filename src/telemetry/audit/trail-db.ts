import { openSqlite, type Db } from "../../store/database.js";

/**
 * The trail's own schema versions, applied in order via user_version; append only. The trail
 * has its own file so a busy audit log never contends with the control plane's writes and can
 * be copied, shipped or deleted on its own.
 */
export const TRAIL_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    event_time INTEGER NOT NULL,
    event_name TEXT NOT NULL,
    event_source TEXT NOT NULL,
    read_only INTEGER NOT NULL,
    username TEXT,
    access_key_id TEXT,
    resources TEXT NOT NULL,
    event TEXT NOT NULL
  );
  -- LookupEvents reads newest first within a time range, with or without one attribute:
  -- every index ends in (event_time, seq), the order results are returned and paged in.
  CREATE INDEX events_time ON events(event_time, seq);
  CREATE INDEX events_name ON events(event_name, event_time, seq);
  CREATE INDEX events_source ON events(event_source, event_time, seq);
  CREATE INDEX events_read_only ON events(read_only, event_time, seq);
  CREATE INDEX events_username ON events(username, event_time, seq);
  CREATE INDEX events_access_key ON events(access_key_id, event_time, seq);

  -- One row per resource an event names, for lookups by ResourceType and ResourceName.
  CREATE TABLE event_resources (
    seq INTEGER NOT NULL REFERENCES events(seq) ON DELETE CASCADE,
    event_time INTEGER NOT NULL,
    resource_type TEXT NOT NULL,
    resource_name TEXT NOT NULL
  );
  CREATE INDEX event_resources_event ON event_resources(seq);
  CREATE INDEX event_resources_type ON event_resources(resource_type, event_time, seq);
  CREATE INDEX event_resources_name ON event_resources(resource_name, event_time, seq);
  `,
  // 2: fewer index entries per event, which are most of the trail writer's time (an entry is
  // ~6,000 instructions; docs/performance.md). Event source and ReadOnly share one index, and so
  // do username and access key: trail-lookup.ts reads them pair by pair.
  `
  DROP INDEX events_source;
  DROP INDEX events_read_only;
  DROP INDEX events_username;
  DROP INDEX events_access_key;
  CREATE INDEX events_source_read_only ON events(event_source, read_only, event_time, seq);
  CREATE INDEX events_user_key ON events(username, access_key_id, event_time, seq);
  `,
  // 3: an event's first resource is kept in `events` itself, so a DescribeService costs one
  // INSERT and five index entries less (the event_resources row, its rowid and 3 indexes; the
  // writer thread's time per event is mostly b-tree inserts). One partial index serves both
  // ResourceType (its prefix) and ResourceName (one (type, name) pair per resource type,
  // trail-lookup.ts); events naming no resource cost it nothing. event_resources keeps the
  // second and later resources of new events, and all of those recorded before: lookups read
  // both. ADD COLUMN changes the schema only; no existing row is rewritten.
  `
  ALTER TABLE events ADD COLUMN resource_type TEXT;
  ALTER TABLE events ADD COLUMN resource_name TEXT;
  CREATE INDEX events_resource ON events(resource_type, resource_name, event_time, seq) WHERE resource_type IS NOT NULL;
  `,
];

/**
 * Opens `<data-dir>/trail.db`. auto_vacuum=INCREMENTAL must be set before the first table
 * exists; it lets the retention sweep hand freed pages back to the file system a little at a
 * time instead of a full VACUUM that would lock the trail.
 */
export function openTrailDb(file: string): Db {
  const db = openSqlite(file, TRAIL_MIGRATIONS, { incrementalVacuum: true });
  // A checkpoint every ~40 MB of WAL instead of SQLite's ~4 MB: each copies the pages written
  // since into trail.db and fsyncs both files, half the writer thread's time at 1000 pages
  // (the index pages every batch rewrites are copied once per checkpoint, not ten times).
  db.pragma("wal_autocheckpoint = 10000");
  return db;
}
