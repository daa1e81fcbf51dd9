import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AppRunnerError } from "../errors/app-runner-error.js";

/** Files in the data directory: the service account's only (secrets, environment values, logs). */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

const errno = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

/**
 * Narrows `path` to `mode` when it grants more (never widens, never follows a link: chmod on a
 * link would change what it points at). A missing path is fine.
 */
export function narrowMode(path: string, mode: number): void {
  let st;
  try {
    st = lstatSync(path);
  } catch (err) {
    if (errno(err) === "ENOENT") return;
    throw err;
  }
  if (st.isSymbolicLink()) return;
  if ((st.mode & 0o777 & ~mode) !== 0) chmodSync(path, st.mode & 0o777 & mode);
}

/**
 * Replaces `file` whole (0600): written beside it and renamed over it, so a crash, HAProxy or a
 * restart never reads half of it. The temporary file is made anew ("wx"), so one left by a crash
 * with another mode cannot lend it its mode.
 */
export function writePrivateFileAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  rmSync(tmp, { force: true });
  writeFileSync(tmp, text, { mode: PRIVATE_FILE_MODE, flag: "wx" });
  renameSync(tmp, file);
}

/** A file's text, undefined when it does not exist (any other failure is thrown). */
export function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    if (errno(err) === "ENOENT") return undefined;
    throw err;
  }
}

/**
 * Creates `file` empty with 0600 if it does not exist, and narrows it if it does. For SQLite
 * this must come before it opens the file: its -wal and -shm files take the database's mode.
 */
export function privateFile(file: string): void {
  closeSync(openSync(file, "a", PRIVATE_FILE_MODE));
  narrowMode(file, PRIVATE_FILE_MODE);
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (err) {
    if (errno(err) === "ENOENT") return [];
    throw err;
  }
}

/** What an instance directory holds that is the host's: its configuration with the environment, records, output. */
const INSTANCE_FILES = ["instance.json", "config.json", "container.json", "output.log", "output.offset"];

/**
 * Makes the data directory (0700) if needed. A shared directory like /tmp (sticky bit) is
 * refused: narrowing it would lock every other user out of it.
 */
export function ensureDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if ((lstatSync(dataDir).mode & 0o1000) !== 0) {
    throw new AppRunnerError("HostSetupFailed", `The data directory ${dataDir} is a shared directory (sticky bit); use a directory of its own.`);
  }
}

/**
 * A data directory made by an older version (0755, files 0644) becomes private at start: the
 * directory itself (nobody else can reach anything below it), every file directly in it
 * (databases and their -wal/-shm, keys, credentials, tokens), deployment records, and the
 * host's files in instance directories. Image and runtime trees keep their modes: containers
 * run them as other users.
 */
export function makeDataDirPrivate(dataDir: string): void {
  narrowMode(dataDir, PRIVATE_DIR_MODE);
  for (const name of entries(dataDir)) {
    const path = join(dataDir, name);
    if (lstatSync(path).isFile()) narrowMode(path, PRIVATE_FILE_MODE);
  }
  const runtime = join(dataDir, "runtime");
  for (const dir of [runtime, join(runtime, "deployments"), join(runtime, "instances")]) narrowMode(dir, PRIVATE_DIR_MODE);
  for (const name of entries(join(runtime, "deployments"))) narrowMode(join(runtime, "deployments", name), PRIVATE_FILE_MODE);
  for (const id of entries(join(runtime, "instances"))) {
    for (const name of INSTANCE_FILES) narrowMode(join(runtime, "instances", id, name), PRIVATE_FILE_MODE);
  }
}
