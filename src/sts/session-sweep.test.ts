import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Principal } from "../iam/principal.js";
import { Store } from "../store/store.js";
import { ManualClock } from "../util/clock.js";
import { ManualTimers } from "../util/manual-timers.js";
import { sessionSweep, SESSION_SWEEP } from "./session-sweep.js";

const NOW = Date.UTC(2026, 11, 5, 20, 0, 0);
const P: Principal = { accessKeyId: "", accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/a", type: "IAMUser" };

function insert(store: Store, n: number, expiresAt: number, prefix: string): void {
  for (let i = 0; i < n; i++) {
    const accessKeyId = `ASIA${prefix}${String(i).padStart(16 - prefix.length, "0")}`;
    store.sessions.insert({ accessKeyId, secretAccessKey: "s", tokenSha256: "00", principal: { ...P, accessKeyId }, createdAt: NOW - 1, expiresAt });
  }
}

describe("the sweep of expired temporary credentials", () => {
  it("deletes, batch by batch, only sessions expired longer than the grace", async () => {
    const store = Store.open(":memory:");
    const clock = new ManualClock(NOW);
    const timers = new ManualTimers();
    const sweep = sessionSweep({ sessions: store.sessions, clock, logger: () => undefined, timers });
    try {
      insert(store, SESSION_SWEEP.batch + 5, NOW - SESSION_SWEEP.graceMs - 1, "OLD");
      insert(store, 3, NOW - 60_000, "RECENT");
      insert(store, 2, NOW + 60_000, "LIVE");
      assert.equal(await sweep.runNow(), SESSION_SWEEP.batch + 5);
      assert.equal(store.sessions.count(), 5);
      clock.advance(SESSION_SWEEP.graceMs);
      assert.equal(await sweep.runNow(), 3, "the recently expired, once their grace is over");
      assert.equal(store.sessions.count(), 2);
    } finally {
      await sweep.stop();
      store.close();
    }
  });

  it("runs by itself on its real timer", async () => {
    const store = Store.open(":memory:");
    const sweep = sessionSweep({ sessions: store.sessions, clock: { now: () => Date.now() }, logger: () => undefined, everyMs: 20, graceMs: 0 });
    try {
      insert(store, 4, Date.now() - 1, "GONE");
      insert(store, 1, Date.now() + 3_600_000, "LIVE");
      sweep.start();
      for (let i = 0; i < 500 && store.sessions.count() > 1; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(store.sessions.count(), 1, "the expired ones went without anyone asking");
    } finally {
      await sweep.stop();
      store.close();
    }
  });
});
