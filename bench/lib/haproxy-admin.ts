/** One command on an HAProxy admin (stats) socket, e.g. `show info`; bounded by a timeout. */
import { createConnection } from "node:net";

export function haproxyCommand(socketPath: string, command: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = createConnection({ path: socketPath });
    let out = "";
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`${command} on ${socketPath}: no answer in ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on("connect", () => sock.end(`${command}\n`));
    sock.on("data", (c: Buffer) => (out += c.toString()));
    sock.on("end", () => {
      clearTimeout(timer);
      resolve(out);
    });
    sock.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** `show info` as key → value. */
export async function haproxyInfo(socketPath: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const line of (await haproxyCommand(socketPath, "show info")).split("\n")) {
    const i = line.indexOf(":");
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}
