import { setTimeout as sleep } from "node:timers/promises";
import { isAlive } from "../../src/runtime/local/exit-reason.js";

/** Stops a process this test run started, by its PID: SIGTERM, `graceMs` to exit, then SIGKILL (bounded waits). */
export async function stopPid(pid: number, graceMs: number): Promise<void> {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return; // It ended meanwhile.
  }
  for (let waited = 0; waited < graceMs && isAlive(pid); waited += 100) await sleep(100);
  if (isAlive(pid)) process.kill(pid, "SIGKILL");
  for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
}
