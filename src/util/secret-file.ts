import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, linkSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";

/**
 * The contents of a secret file, made with `make()` (mode 0600) when it does not exist yet.
 * It is written aside, then linked into place: link fails if the name exists, so two processes
 * starting at once agree on one secret, and neither ever reads a half-written file. A file that
 * others can read (copied in from elsewhere) is narrowed to 0600.
 */
export function readOrCreateSecretFile(file: string, make: () => string | Buffer): Buffer {
  if (!existsSync(file)) {
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    writeFileSync(tmp, make(), { mode: 0o600, flag: "wx" });
    try {
      linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    } finally {
      unlinkSync(tmp);
    }
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return readFileSync(file);
}
