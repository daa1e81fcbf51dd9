import { createHmac, randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join, resolve } from "node:path";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { readOrCreateSecretFile } from "./secret-file.js";

/** Held while one OpenRunner runs on a data directory. */
export interface DataDirLock {
  release(): Promise<void>;
}

/** Who holds the lock, as the holder tells whoever knocks. */
interface Holder {
  pid: number;
}

const ASK_TIMEOUT_MS = 1000;

/**
 * The lock's name: a Linux abstract socket (no file; the kernel frees the name when the process
 * dies, even by kill -9, so there is never a stale lock to guess about). It is derived from the
 * data directory's secret key (the master key, wherever the operator keeps it), so only someone
 * who can read that key can know it (and squat it).
 */
export function lockName(dataDir: string, keyFile?: string): string {
  const key = readOrCreateSecretFile(keyFile ?? join(dataDir, "secret.key"), () => randomBytes(32));
  // A master key kept elsewhere may serve several data directories: the directory is then part of the name.
  const subject = keyFile === undefined ? "data directory lock" : `data directory lock ${resolve(dataDir)}`;
  return `\0openrunner-data-dir-${createHmac("sha256", key).update(subject).digest("hex").slice(0, 40)}`;
}

/**
 * Takes the data directory for this process, before anything in it is touched: a second
 * `openrunner up` on the same directory is refused with the first one's PID instead of
 * tearing down what the first one runs.
 */
export async function lockDataDir(dataDir: string, keyFile?: string): Promise<DataDirLock> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const name = lockName(dataDir, keyFile);
  const server = createServer((socket) => socket.end(`${JSON.stringify({ pid: process.pid } satisfies Holder)}\n`));
  try {
    await new Promise<void>((ok, fail) => {
      server.once("error", fail);
      server.listen({ path: name }, () => ok());
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
    const holder = await askHolder(name);
    throw new AppRunnerError(
      "HostSetupFailed",
      `The data directory ${dataDir} is in use by another OpenRunner (${holder ? `PID ${holder.pid}` : "its PID did not answer"}). ` +
        `Stop that one first, or start with another --data-dir.`,
    );
  }
  // The lock must not keep a process alive that has nothing else to do.
  server.unref();
  return {
    release: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

/** Asks the holder for its PID (it answers on the lock's own socket); undefined if it cannot say. */
function askHolder(name: string): Promise<Holder | undefined> {
  return new Promise((resolve) => {
    let text = "";
    const socket = connect({ path: name });
    const done = (h: Holder | undefined): void => {
      socket.destroy();
      resolve(h);
    };
    socket.setTimeout(ASK_TIMEOUT_MS, () => done(undefined));
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
      if (text.length > 1000) done(undefined);
    });
    socket.on("error", () => done(undefined));
    socket.on("end", () => {
      try {
        const h = JSON.parse(text) as Partial<Holder>;
        done(typeof h.pid === "number" ? { pid: h.pid } : undefined);
      } catch {
        done(undefined); // Not our holder's answer: say so rather than guess.
      }
    });
  });
}
