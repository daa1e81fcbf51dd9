import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  initialHealth,
  nextProbeDelayMs,
  recordProbe,
  resolveHealthCheck,
  startupExpired,
  type HealthState,
  type HealthVerdict,
} from "./health-state.js";

/** Runs a probe sequence ("1" = success, "0" = failure) and returns the verdict after each. */
function run(seq: string, cfg: Parameters<typeof recordProbe>[2]): { verdicts: HealthVerdict[]; state: HealthState } {
  let state = initialHealth();
  const verdicts: HealthVerdict[] = [];
  for (const c of seq) {
    const r = recordProbe(state, c === "1", cfg);
    state = r.state;
    assert.equal(r.verdict, state.verdict);
    verdicts.push(r.verdict);
  }
  return { verdicts, state };
}

const S = "starting";
const H = "healthy";
const U = "unhealthy";

describe("health state", () => {
  it("fills App Runner's defaults into partial configurations", () => {
    assert.deepEqual(resolveHealthCheck(undefined), {
      Protocol: "TCP",
      Path: "/",
      Interval: 5,
      Timeout: 2,
      HealthyThreshold: 1,
      UnhealthyThreshold: 5,
    });
    assert.deepEqual(resolveHealthCheck({ Protocol: "HTTP", Path: "/health", Interval: undefined }), {
      Protocol: "HTTP",
      Path: "/health",
      Interval: 5,
      Timeout: 2,
      HealthyThreshold: 1,
      UnhealthyThreshold: 5,
    });
  });

  const table: { name: string; cfg: Parameters<typeof recordProbe>[2]; seq: string; want: HealthVerdict[] }[] = [
    { name: "defaults: one success makes a new instance healthy", cfg: undefined, seq: "1", want: [H] },
    { name: "defaults: failures while starting stay starting", cfg: {}, seq: "000000001", want: [S, S, S, S, S, S, S, S, H] },
    {
      name: "defaults: five consecutive failures make a healthy instance unhealthy",
      cfg: {},
      seq: "10000100000",
      want: [H, H, H, H, H, H, H, H, H, H, U],
    },
    {
      name: "HealthyThreshold 3 needs three consecutive successes",
      cfg: { HealthyThreshold: 3 },
      seq: "1101110",
      want: [S, S, S, S, S, H, H],
    },
    {
      name: "UnhealthyThreshold 1 fails on the first failure; recovery needs HealthyThreshold",
      cfg: { HealthyThreshold: 2, UnhealthyThreshold: 1 },
      seq: "1101011",
      want: [S, H, U, U, U, U, H],
    },
    {
      name: "an unhealthy instance recovers after HealthyThreshold successes",
      cfg: { UnhealthyThreshold: 2 },
      seq: "100111",
      want: [H, H, U, H, H, H],
    },
  ];
  for (const t of table) {
    it(t.name, () => {
      const { verdicts, state } = run(t.seq, t.cfg);
      assert.deepEqual(verdicts, t.want);
      assert.equal(state.attempts, t.seq.length);
    });
  }

  it("counts consecutive successes and failures", () => {
    const { state } = run("110001", {});
    assert.equal(state.consecutiveSuccesses, 1);
    assert.equal(state.consecutiveFailures, 0);
    const { state: s2 } = run("1000", {});
    assert.equal(s2.consecutiveSuccesses, 0);
    assert.equal(s2.consecutiveFailures, 3);
  });

  it("does not mutate the state it is given", () => {
    const s0 = initialHealth();
    const copy = { ...s0 };
    recordProbe(s0, true, {});
    assert.deepEqual(s0, copy);
  });

  const starting = initialHealth();
  const afterOne = recordProbe(starting, false, {}).state;
  const healthy = recordProbe(starting, true, {}).state;
  const unhealthy = run("100", { UnhealthyThreshold: 2 }).state;
  const delays: { name: string; state: HealthState; cfg: Parameters<typeof recordProbe>[2]; since: number; want: number }[] = [
    { name: "first probe of a new instance: after 5 ms", state: starting, cfg: {}, since: 0, want: 5 },
    { name: "every 5 ms in the first 300 ms", state: afterOne, cfg: {}, since: 50, want: 5 },
    { name: "still 5 ms just before 300 ms", state: afterOne, cfg: {}, since: 299, want: 5 },
    { name: "then every 20 ms in the first second", state: afterOne, cfg: {}, since: 300, want: 20 },
    { name: "still 20 ms just before the first second ends", state: afterOne, cfg: {}, since: 999, want: 20 },
    { name: "then the gap grows with the time since start", state: afterOne, cfg: {}, since: 1000, want: 1000 },
    { name: "doubling", state: afterOne, cfg: {}, since: 2000, want: 2000 },
    { name: "capped at the default Interval (5 s)", state: afterOne, cfg: {}, since: 60_000, want: 5000 },
    { name: "capped at a configured Interval", state: afterOne, cfg: { Interval: 1 }, since: 3000, want: 1000 },
    { name: "healthy: every Interval", state: healthy, cfg: {}, since: 100, want: 5000 },
    { name: "healthy: configured Interval", state: healthy, cfg: { Interval: 20 }, since: 100, want: 20_000 },
    { name: "unhealthy: every Interval", state: unhealthy, cfg: { Interval: 2 }, since: 100, want: 2000 },
  ];
  for (const t of delays) {
    it(`next probe delay: ${t.name}`, () => {
      assert.equal(nextProbeDelayMs(t.state, t.cfg, t.since), t.want);
    });
  }

  it("a new instance is probed every 5 ms for 300 ms, then every 20 ms to 1 s, then less and less often", () => {
    // Simulate instant probes: the probe times while starting.
    let state = initialHealth();
    let t = 0;
    const times: number[] = [];
    while (t < 5000) {
      t += nextProbeDelayMs(state, {}, t);
      times.push(t);
      state = recordProbe(state, false, {}).state;
    }
    assert.deepEqual(times.slice(0, 8), [5, 10, 15, 20, 25, 30, 35, 40]);
    assert.equal(times.filter((x) => x <= 300).length, 60);
    assert.deepEqual(times.filter((x) => x > 300).slice(0, 3), [320, 340, 360]);
    assert.equal(times.filter((x) => x <= 1000).length, 95);
    assert.deepEqual(times.filter((x) => x > 1000).slice(0, 2), [2000, 4000]);
  });

  const budgets: { since: number; budget?: number; want: boolean }[] = [
    { since: 0, want: false },
    { since: 299_999, want: false },
    { since: 300_000, want: true },
    { since: 999, budget: 1000, want: false },
    { since: 1000, budget: 1000, want: true },
  ];
  for (const t of budgets) {
    it(`startupExpired(${t.since}, ${t.budget ?? "default"}) = ${t.want}`, () => {
      assert.equal(startupExpired(t.since, t.budget), t.want);
    });
  }
});
