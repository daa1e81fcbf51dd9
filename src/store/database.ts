import Database from "better-sqlite3";
import { dirname } from "node:path";
import { mkdirSync } from "node:fs";
import { narrowMode, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, privateFile } from "../util/private-files.js";
import { MIGRATIONS } from "./migrations.js";

export type Db = Database.Database;

export interface OpenOptions {
  /**
   * Lets a retention sweep give freed pages back with `PRAGMA incremental_vacuum`. It must be
   * set before the first table exists: on an existing file it changes only with a full VACUUM.
   */
  incrementalVacuum?: boolean;
}

/**
 * Opens (creating if needed) a SQLite file and applies its append-only migrations, recorded in
 * user_version. WAL with synchronous=NORMAL survives a killed process without losing a
 * committed transaction. Every database of OpenRunner (the control plane's, logs, metrics,
 * trail) opens through here.
 */
export function openSqlite(file: string, migrations: readonly string[], options: OpenOptions = {}): Db {
  if (file !== ":memory:") {
    // A directory it makes is private; an existing one is the caller's (the data directory is narrowed at start).
    mkdirSync(dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
    // 0600 before SQLite opens it: the -wal and -shm files it makes take the database's mode.
    privateFile(file);
    for (const side of ["-wal", "-shm"]) narrowMode(`${file}${side}`, PRIVATE_FILE_MODE);
  }
  const db = new Database(file);
  try {
    if (options.incrementalVacuum) db.pragma("auto_vacuum = INCREMENTAL");
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    db.pragma("busy_timeout = 5000");
    const current = db.pragma("user_version", { simple: true }) as number;
    for (let v = current; v < migrations.length; v++) {
      db.transaction(() => {
        db.exec(migrations[v] ?? "");
        db.pragma(`user_version = ${v + 1}`);
      })();
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** The control plane's own database, `<data-dir>/openrunner.db`. */
export function openDatabase(file: string): Db {
  return openSqlite(file, MIGRATIONS);
}
