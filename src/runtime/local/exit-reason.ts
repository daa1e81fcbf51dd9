import type { ContainerState } from "../../executor/types.js";

/** Whether a process still exists (signal 0 checks without sending anything). */
export function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else; only ESRCH means gone.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Pure: the events-log sentence for an instance that stopped on its own. */
export function exitMessage(instanceId: string, state: ContainerState, memoryLimitBytes: number): string {
  if (state.status === "stopped" && state.oomKilled) {
    const mb = Math.round(memoryLimitBytes / (1024 * 1024));
    return `Instance ${instanceId} ran out of memory and was stopped: the kernel killed it at its ${mb} MB limit (OOM).`;
  }
  if (state.status === "stopped") {
    if (state.exitCode === null) return `Instance ${instanceId} stopped; its exit code is unknown.`;
    const signal = state.exitCode > 128 ? ` (signal ${state.exitCode - 128})` : "";
    return `Instance ${instanceId} exited with code ${state.exitCode}${signal}.`;
  }
  if (state.status === "missing") return `Instance ${instanceId} disappeared: its container no longer exists.`;
  return `Instance ${instanceId} stopped answering.`;
}
