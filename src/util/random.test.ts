import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cryptoRandom, SeededRandom, timeOrderedUuid, uuid } from "./random.js";

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("ids", () => {
  it("uuid is a version-4 UUID, from injected randomness too", () => {
    assert.match(uuid(cryptoRandom), V4);
    assert.match(uuid(new SeededRandom(7)), V4);
  });

  it("time-ordered UUIDs keep the version-4 form, sort by their millisecond and differ within one", () => {
    const times = [0, 1, 1_733_000_000_000, 1_733_000_000_001, 1_733_000_060_000, 2 ** 48 - 1];
    const ids = times.map((t) => timeOrderedUuid(cryptoRandom, t));
    for (const id of ids) assert.match(id, V4);
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(ids[2]?.replace("-", "").slice(0, 12), (1_733_000_000_000).toString(16).padStart(12, "0"));
    // Each its own millisecond, whichever came before it (the last one's hex is kept).
    for (const t of [...times, 5, 5, 1_733_000_000_001, 5]) {
      assert.equal(timeOrderedUuid(cryptoRandom, t).replace("-", "").slice(0, 12), t.toString(16).padStart(12, "0"));
    }
    const same = new Set(Array.from({ length: 1000 }, () => timeOrderedUuid(cryptoRandom, 1_733_000_000_000)));
    assert.equal(same.size, 1000);
    assert.match(timeOrderedUuid(new SeededRandom(3), 5), V4);
  });
});
