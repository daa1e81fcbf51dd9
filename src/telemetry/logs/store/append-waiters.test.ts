import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ManualClock } from "../../../util/clock.js";
import { AppendWaiters } from "./append-waiters.js";
import { LogStore } from "./log-store.js";

describe("AppendWaiters", () => {
  it("wakes a group's waiters, ends on abort and on close, and forgets every ended waiter", async () => {
    const waiters = new AppendWaiters();
    const never = new AbortController().signal;
    const a = waiters.wait("/a", never);
    const b = waiters.wait("/b", never);
    assert.equal(waiters.waiting, 2);
    waiters.notify(["/a", "/other"]);
    assert.equal(await a, "appended");
    assert.equal(waiters.waiting, 1);

    const abort = new AbortController();
    const c = waiters.wait("/b", abort.signal);
    abort.abort();
    assert.equal(await c, "aborted");
    assert.equal(await waiters.wait("/b", abort.signal), "aborted", "an aborted signal ends at once");
    assert.equal(waiters.waiting, 1);

    waiters.close();
    assert.equal(await b, "closed");
    assert.equal(await waiters.wait("/a", never), "closed", "after close, at once");
    assert.equal(waiters.waiting, 0);
  });

  it("are woken by the store after buffered lines and PutLogEvents are written, not before", async () => {
    const dir = mkdtempSync(join(tmpdir(), "openrunner-append-waiters-"));
    const store = LogStore.open(join(dir, "logs.db"), new ManualClock(), { flushDelayMs: 60_000 });
    try {
      const never = new AbortController().signal;
      let woken = false;
      const buffered = store.appends.wait("/g", never).then((why) => {
        woken = true;
        return why;
      });
      store.append("/g", "s", [{ timestamp: 1, message: "one" }]);
      await new Promise((r) => setImmediate(r));
      assert.equal(woken, false, "still in the buffer");
      store.flush();
      assert.equal(await buffered, "appended");
      assert.equal(store.catalog.group("/g")?.storedBytes, 3, "a woken reader finds the line");

      const put = store.appends.wait("/g", never);
      store.putEvents("/g", "s", [{ timestamp: 2, message: "two" }]);
      assert.equal(await put, "appended");

      const held = store.appends.wait("/g", never);
      store.close();
      assert.equal(await held, "closed");
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
