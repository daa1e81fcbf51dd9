/**
 * wrk (Debian package) as a child process, on 127.x addresses only, with its `--latency`
 * output parsed into numbers. Every run is bounded by its `-d` duration (and a kill timer).
 */
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";

export interface WrkOptions {
  url: string;
  /** Sent as `-H 'Host: <host>'` when given. */
  host?: string;
  threads: number;
  connections: number;
  durationS: number;
  /** Extra headers, `Name: value`. */
  headers?: string[];
}

export interface WrkResult {
  requests: number;
  durationS: number;
  requestsPerSec: number;
  /** Latency percentiles from `--latency`, ms. */
  p50: number;
  p75: number;
  p90: number;
  p99: number;
  avg: number;
  max: number;
  /** connect + read + write + timeout socket errors. */
  socketErrors: number;
  /** "Non-2xx or 3xx responses". */
  non2xx: number;
  raw: string;
}

/** wrk's path, or undefined (the caller prints how to install it: the bench does not install). */
export function findWrk(): string | undefined {
  return which("wrk");
}

export function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin").split(":").concat(["/usr/sbin", "/sbin"])) {
    try {
      accessSync(`${dir}/${cmd}`, constants.X_OK);
      return `${dir}/${cmd}`;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

/** A wrk duration like 45.48ms, 890.32us, 1.02s, 2.00m to milliseconds. */
export function wrkTimeMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!m?.[1] || !m[2]) return Number.NaN;
  const v = Number(m[1]);
  return m[2] === "us" ? v / 1000 : m[2] === "ms" ? v : m[2] === "s" ? v * 1000 : v * 60_000;
}

export function parseWrk(raw: string): WrkResult {
  const pct = (p: string): number => wrkTimeMs(new RegExp(`^\\s+${p}%\\s+(\\S+)\\s*$`, "m").exec(raw)?.[1] ?? "");
  const lat = /^\s+Latency\s+(\S+)\s+(\S+)\s+(\S+)/m.exec(raw);
  const done = /^\s+(\d+) requests in ([\d.]+)(us|ms|s|m),/m.exec(raw);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(raw);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(raw);
  return {
    requests: Number(done?.[1] ?? Number.NaN),
    durationS: done?.[2] && done[3] ? wrkTimeMs(`${done[2]}${done[3]}`) / 1000 : Number.NaN,
    requestsPerSec: Number(/^Requests\/sec:\s+([\d.]+)/m.exec(raw)?.[1] ?? Number.NaN),
    p50: pct("50"),
    p75: pct("75"),
    p90: pct("90"),
    p99: pct("99"),
    avg: wrkTimeMs(lat?.[1] ?? ""),
    max: wrkTimeMs(lat?.[3] ?? ""),
    socketErrors: sock ? Number(sock[1]) + Number(sock[2]) + Number(sock[3]) + Number(sock[4]) : 0,
    non2xx: Number(non2xx?.[1] ?? 0),
    raw,
  };
}

/** Runs wrk once and parses its report; rejects if wrk fails or prints no report. */
export function runWrk(opts: WrkOptions): Promise<WrkResult> {
  const host = new URL(opts.url).hostname;
  if (!host.startsWith("127.")) return Promise.reject(new Error(`wrk only against 127.x addresses, not ${host}`));
  const args = ["-t", String(opts.threads), "-c", String(opts.connections), "-d", `${opts.durationS}s`, "--latency"];
  if (opts.host) args.push("-H", `Host: ${opts.host}`);
  for (const h of opts.headers ?? []) args.push("-H", h);
  args.push(opts.url);
  return new Promise((resolve, reject) => {
    const child = spawn(findWrk() ?? "wrk", args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    const killer = setTimeout(() => child.kill("SIGKILL"), (opts.durationS + 30) * 1000);
    child.once("error", (err) => {
      clearTimeout(killer);
      reject(err);
    });
    child.once("exit", (code) => {
      clearTimeout(killer);
      const r = parseWrk(out);
      if (code !== 0 || !Number.isFinite(r.requestsPerSec)) reject(new Error(`wrk ${args.join(" ")} exited ${code ?? "?"}:\n${out}`));
      else resolve(r);
    });
  });
}
