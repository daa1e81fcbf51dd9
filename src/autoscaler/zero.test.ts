import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decideZero, type ZeroInput } from "./zero.js";

const base: ZeroInput = { now: 100_000, current: 1, idleMs: 30_000, lastActiveAt: 100_000, waiting: 0, maxConcurrency: 10, maxSize: 25 };

describe("decideZero: idle services go to zero, held requests wake them", () => {
  const table: { name: string; input: Partial<ZeroInput>; desired: number | undefined }[] = [
    { name: "active just now: nothing to decide", input: {}, desired: undefined },
    { name: "idle 1 ms short of the period: keeps its instance", input: { lastActiveAt: 70_001 }, desired: undefined },
    { name: "idle for exactly the period: to zero", input: { lastActiveAt: 70_000 }, desired: 0 },
    { name: "idle long, several instances: all go", input: { lastActiveAt: 0, current: 3 }, desired: 0 },
    { name: "idle but a request is in flight now: stays", input: { lastActiveAt: 0, waiting: 1 }, desired: undefined },
    { name: "at zero, nothing waiting: stays at zero", input: { current: 0, lastActiveAt: 0 }, desired: undefined },
    { name: "at zero, one held request: 1 instance", input: { current: 0, waiting: 1 }, desired: 1 },
    { name: "at zero, 50 held at MaxConcurrency 10: 5", input: { current: 0, waiting: 50 }, desired: 5 },
    { name: "at zero, 51 held at MaxConcurrency 10: 6", input: { current: 0, waiting: 51 }, desired: 6 },
    { name: "at zero, 50 held at MaxConcurrency 100: 1", input: { current: 0, waiting: 50, maxConcurrency: 100 }, desired: 1 },
    { name: "at zero, a burst beyond MaxSize: MaxSize", input: { current: 0, waiting: 500, maxSize: 4 }, desired: 4 },
  ];
  for (const row of table) {
    it(row.name, () => {
      assert.equal(decideZero({ ...base, ...row.input })?.desired, row.desired);
    });
  }

  it("says why in the reason", () => {
    assert.match(decideZero({ ...base, lastActiveAt: 0 })?.reason ?? "", /no request for 100 s \(idle period 30 s\)/);
    assert.match(decideZero({ ...base, current: 0, waiting: 50 })?.reason ?? "", /50 requests waiting at MaxConcurrency 10 want 5 instances/);
  });
});
