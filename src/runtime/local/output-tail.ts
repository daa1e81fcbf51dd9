import { open } from "node:fs/promises";

/** The last `n` lines of an instance's output file, for the deployment log of a failed start. */
export async function lastLines(file: string, n: number, maxBytes = 16 * 1024): Promise<string[]> {
  let handle;
  try {
    handle = await open(file, "r");
  } catch {
    return []; // No output file: the instance never wrote anything.
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, maxBytes);
    const buf = Buffer.alloc(length);
    await handle.read(buf, 0, length, size - length);
    const lines = buf.toString("utf8").split("\n").filter((l) => l.length > 0);
    return lines.slice(-n);
  } finally {
    await handle.close();
  }
}
