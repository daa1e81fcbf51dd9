import { constants } from "node:fs";
import { open } from "node:fs/promises";

/** What a file another party can write turned out to be. */
export type UntrustedRead =
  | { kind: "missing" }
  /** A symbolic link, FIFO, device or directory: something the owner of the directory put there to make us read elsewhere or wait. */
  | { kind: "refused"; why: string }
  /** The first maxBytes bytes; `truncated` when the file held more. */
  | { kind: "read"; text: string; truncated: boolean };

const errno = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

/**
 * Reads a small file in a directory an app can write (an instance's state directory, shared
 * with the container): never through a symbolic link in its last component (O_NOFOLLOW), only
 * a regular file (O_NONBLOCK, so opening a FIFO cannot block), and at most `maxBytes`, so a
 * link to /etc/shadow, /dev/zero or a pipe gets the host nothing and costs it nothing.
 */
export async function readUntrustedFile(path: string, maxBytes: number): Promise<UntrustedRead> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    if (errno(err) === "ENOENT") return { kind: "missing" };
    if (errno(err) === "ELOOP") return { kind: "refused", why: "it is a symbolic link" };
    throw err;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return { kind: "refused", why: "it is not a regular file" };
    const buf = Buffer.alloc(maxBytes + 1);
    let filled = 0;
    while (filled < buf.length) {
      const { bytesRead } = await handle.read(buf, filled, buf.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return { kind: "read", text: buf.subarray(0, Math.min(filled, maxBytes)).toString("utf8"), truncated: filled > maxBytes };
  } finally {
    await handle.close();
  }
}
