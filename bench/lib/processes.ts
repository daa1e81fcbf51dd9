/** Process trees and their CPU time, read from /proc (for processes the bench started). */
import { readdirSync, readFileSync } from "node:fs";
import { cpuTimeMs } from "./proc-status.js";

/** `pid` and every process below it, by walking /proc's parent pids. */
export function processTree(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // Exited.
    }
  }
  const out = [pid];
  for (let i = 0; i < out.length && i < 10_000; i++) {
    for (const [child, parent] of parentOf) if (parent === out[i]) out.push(child);
  }
  return out;
}

/** CPU time (ms, user + system, all threads) of these processes; exited ones count 0. */
export function treeCpuMs(pids: readonly number[]): number {
  let total = 0;
  for (const p of pids) {
    try {
      total += cpuTimeMs(p);
    } catch {
      // Exited.
    }
  }
  return total;
}

/** The process name of a pid, or "(gone)". */
export function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "(gone)";
  }
}
