/**
 * What every container the executor makes (an instance or a build) takes from the host: its
 * resolver settings and the open-files limit runc may give.
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

let hostNofile: number | undefined;

/** min(65536, our own hard RLIMIT_NOFILE): runc cannot raise it beyond that without CAP_SYS_RESOURCE. */
export async function nofileLimit(): Promise<number> {
  if (hostNofile === undefined) {
    const limits = await readFile("/proc/self/limits", "utf8");
    const hard = /^Max open files\s+\S+\s+(\S+)/m.exec(limits)?.[1];
    hostNofile = hard === undefined || hard === "unlimited" ? DEFAULT_NOFILE : Number(hard);
  }
  return Math.min(DEFAULT_NOFILE, hostNofile);
}
