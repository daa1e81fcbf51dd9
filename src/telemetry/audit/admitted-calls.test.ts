import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AdmittedCalls } from "./admitted-calls.js";

describe("admitted calls kept until their answer is recorded", () => {
  it("gives back what each call was admitted with, once, in any order; nothing for a call never admitted", () => {
    const kept = new AdmittedCalls<Record<string, unknown> | null>(4);
    kept.set("a", { n: 1 });
    kept.set("b", null);
    kept.set("c", { n: 3 });
    assert.deepEqual(kept.take("b"), null);
    assert.equal(kept.take("b"), undefined, "taken once");
    assert.equal(kept.take("never"), undefined);
    assert.deepEqual(kept.take("c"), { n: 3 });
    assert.deepEqual(kept.take("a"), { n: 1 });
    assert.equal(kept.size, 0);
  });

  it("loses none when more calls are in flight than it has slots", () => {
    const kept = new AdmittedCalls<number>(4);
    for (let i = 0; i < 100; i++) kept.set(`r${i}`, i);
    assert.equal(kept.size, 100);
    // Answered in an order unlike the admissions': every value comes back once.
    const order = Array.from({ length: 100 }, (_, i) => (i * 37) % 100);
    assert.deepEqual(order.map((i) => kept.take(`r${i}`)), order);
    assert.equal(kept.size, 0);
    // And it goes on working with slots reused.
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 6; i++) kept.set(`s${round}-${i}`, i);
      for (let i = 5; i >= 0; i--) assert.equal(kept.take(`s${round}-${i}`), i);
    }
    assert.equal(kept.size, 0);
  });
});
