import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SecondRing } from "./second-ring.js";

describe("per-second ring", () => {
  it("adds reports of the same second and reuses slots for newer seconds", () => {
    const ring = new SecondRing(4);
    ring.update("s", 100, (x) => (x.requests += 1));
    ring.update("s", 100, (x) => (x.requests += 2));
    ring.update("s", 104, (x) => (x.requests += 5)); // same slot as 100: replaces it
    ring.update("s", 100, (x) => (x.requests += 9)); // older than the slot's second: dropped
    ring.update("s", 103, (x) => (x.requests += 1));
    assert.deepEqual(ring.recent("s", 104, 10).map((x) => [x.second, x.requests]), [
      [103, 1],
      [104, 5],
    ]);
  });

  it("answers only the window asked for, oldest first, as copies", () => {
    const ring = new SecondRing(10);
    for (const s of [1, 2, 3, 4, 5]) ring.update("s", s, (x) => (x.requests = s));
    const window = ring.recent("s", 5, 3);
    assert.deepEqual(window.map((x) => x.second), [3, 4, 5]);
    window[0]!.requests = 99;
    assert.equal(ring.recent("s", 5, 3)[0]?.requests, 3);
    assert.deepEqual(ring.recent("s", 2, 3).map((x) => x.second), [1, 2], "seconds after now are not returned");
  });
});
