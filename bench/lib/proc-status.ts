import { readFileSync } from "node:fs";

export interface MemorySample {
  /** Resident set size now, MiB. */
  rssMiB: number;
  /** Peak resident set size since start ("high water mark"), MiB. */
  hwmMiB: number;
}

/** VmRSS and VmHWM of a process we started, from Linux's /proc/<pid>/status (values in kB). */
export function readMemory(pid: number): MemorySample {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string): number => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status);
    if (!m?.[1]) throw new Error(`${field} missing from /proc/${pid}/status`);
    return Number(m[1]);
  };
  return { rssMiB: kb("VmRSS") / 1024, hwmMiB: kb("VmHWM") / 1024 };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `count` samples `everyMs` apart; RSS moves with GC, so one reading is not enough. */
export async function sampleMemory(pid: number, count: number, everyMs: number): Promise<MemorySample[]> {
  const out: MemorySample[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0) await sleep(everyMs);
    out.push(readMemory(pid));
  }
  return out;
}

/** Linux reports utime/stime in USER_HZ ticks, which is 100 on every mainstream architecture. */
const USER_HZ = 100;

/** CPU time (user + system, ms) a process we started has used so far, from /proc/<pid>/stat. */
export function cpuTimeMs(pid: number): number {
  return statCpuMs(`/proc/${pid}/stat`);
}

/** The same for its main thread alone (the event loop; its thread id is the pid): without worker and GC helper threads. */
export function mainThreadCpuTimeMs(pid: number): number {
  return statCpuMs(`/proc/${pid}/task/${pid}/stat`);
}

function statCpuMs(file: string): number {
  const stat = readFileSync(file, "utf8");
  // The command name (field 2) may contain spaces; the fields we want follow its closing ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / USER_HZ;
}
