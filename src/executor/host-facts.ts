/**
 * What every container the executor makes (an instance or a build) takes from the host: its
 * resolver settings and the open-files and process limits runc may give.
 */
import { readFile } from "node:fs/promises";
import { DEFAULT_NOFILE } from "./bundle.js";

const errno = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

/** The host's resolv.conf (its search domains and options carry over); none: empty. */
export async function readHostResolvConf(): Promise<string> {
  try {
    return await readFile("/etc/resolv.conf", "utf8");
  } catch (err) {
    if (errno(err) === "ENOENT") return "";
    throw err;
  }
}

/** Our own hard limit named `label` in /proc/self/limits ("Max open files"); undefined when unlimited or not listed. */
async function hardLimit(label: string): Promise<number | undefined> {
  const limits = await readFile("/proc/self/limits", "utf8");
  const hard = new RegExp(`^${label}\\s+\\S+\\s+(\\S+)`, "m").exec(limits)?.[1];
  return hard === undefined || hard === "unlimited" ? undefined : Number(hard);
}

let hostNofile: number | undefined;

/** min(65536, our own hard RLIMIT_NOFILE): runc cannot raise it beyond that without CAP_SYS_RESOURCE. */
export async function nofileLimit(): Promise<number> {
  hostNofile ??= (await hardLimit("Max open files")) ?? DEFAULT_NOFILE;
  return Math.min(DEFAULT_NOFILE, hostNofile);
}

/** min(`wanted`, our own hard RLIMIT_NPROC): a container may lower it, never raise it without CAP_SYS_RESOURCE. */
export async function nprocLimit(wanted: number): Promise<number> {
  return Math.min(wanted, (await hardLimit("Max processes")) ?? wanted);
}
