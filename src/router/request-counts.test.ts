import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CounterDeltas, type BackendCounters, type CountDelta, type CounterSnapshot } from "./request-counts.js";

const b = (serviceId: string, requests: number, s2 = requests, s4 = 0, s5 = 0): BackendCounters => ({
  serviceId,
  requests,
  status2xx: s2,
  status4xx: s4,
  status5xx: s5,
});
const snap = (worker: number, ...backends: BackendCounters[]): CounterSnapshot => ({ worker, backends });
const d = (requests: number, s2 = requests, s4 = 0, s5 = 0): CountDelta => ({ requests, status2xx: s2, status4xx: s4, status5xx: s5 });

describe("CounterDeltas", () => {
  const cases: Array<{ name: string; snapshots: CounterSnapshot[]; want: Array<[string, CountDelta]> }> = [
    { name: "the first snapshot is only a baseline", snapshots: [snap(1, b("a", 500))], want: [] },
    { name: "counts between two reads of one worker", snapshots: [snap(1, b("a", 500, 490, 10)), snap(1, b("a", 620, 600, 15, 5))], want: [["a", d(120, 110, 5, 5)]] },
    { name: "an idle service is left out", snapshots: [snap(1, b("a", 5), b("b", 7)), snap(1, b("a", 5), b("b", 9))], want: [["b", d(2)]] },
    { name: "a new worker (reload): all its counts are new", snapshots: [snap(1, b("a", 900)), snap(2, b("a", 40))], want: [["a", d(40)]] },
    { name: "a new worker that already counted more than the old one", snapshots: [snap(1, b("a", 10)), snap(2, b("a", 25))], want: [["a", d(25)]] },
    { name: "a service new to the same worker", snapshots: [snap(1, b("a", 1)), snap(1, b("a", 1), b("n", 3))], want: [["n", d(3)]] },
    { name: "a counter that went down restarts from 0", snapshots: [snap(1, b("a", 50)), snap(1, b("a", 4))], want: [["a", d(4)]] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const deltas = new CounterDeltas();
      let last = new Map<string, CountDelta>();
      for (const s of c.snapshots) last = deltas.next(s);
      assert.deepEqual([...last], c.want);
    });
  }
});
