import assert from "node:assert/strict";
import { test } from "node:test";
import { AppRunnerError } from "../errors/app-runner-error.js";
import type { HaproxyProcess } from "./haproxy-process.js";
import { Restarter } from "./restarter.js";

/** A master that is gone, whose restarts fail while `failing` says so. */
function rig(failing: () => boolean) {
  let now = 1_000_000;
  let starts = 0;
  const process = {
    masterPid: 42,
    alive: () => Promise.resolve(false),
    exitReason: () => Promise.resolve("killed by SIGKILL"),
    stopOrphans: () => Promise.resolve(),
  } as unknown as HaproxyProcess;
  const restarter = new Restarter({
    process,
    signal: new AbortController().signal,
    startNow: () => {
      starts++;
      return failing() ? Promise.reject(new Error("bind failed")) : Promise.resolve();
    },
    services: () => [{ serviceId: "s1", serviceName: "web" }],
    everyMs: 200,
    logger: () => undefined,
    now: () => now,
  });
  return { restarter, starts: () => starts, advance: (ms: number) => void (now += ms) };
}

test("after a failed restart, API callers fail at once with its error until the back-off passes; the watchdog always tries", async () => {
  let failing = true;
  const r = rig(() => failing);
  await assert.rejects(r.restarter.restartIfDead(), /bind failed/);
  assert.equal(r.starts(), 1);
  // Within the back-off (200 ms * 2^1): no new attempt from an API call, the last error named.
  r.advance(399);
  await assert.rejects(r.restarter.restartIfDead(), (err: unknown) => err instanceof AppRunnerError && /could not be restarted: bind failed/.test(err.message));
  assert.equal(r.starts(), 1);
  // The watchdog is not held back.
  await assert.rejects(r.restarter.restartIfDead(true), /bind failed/);
  assert.equal(r.starts(), 2);
  // Past the (doubled) back-off an API call tries again; a success is recorded with the services it brought back.
  r.advance(800);
  failing = false;
  await r.restarter.restartIfDead();
  assert.equal(r.starts(), 3);
  assert.deepEqual(
    r.restarter.restarts.map((x) => [x.reason, x.previousMasterPid, x.services.length]),
    [["killed by SIGKILL", 42, 1]],
  );
});
