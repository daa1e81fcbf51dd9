import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { addValue, bucketOf, bucketUpper, decodeHistogram, encodeHistogram, mergeInto, percentile, type Histogram } from "./histogram.js";

const histOf = (values: readonly number[]): Histogram => {
  const h: Histogram = new Map();
  for (const v of values) addValue(h, v);
  return h;
};

describe("latency histogram", () => {
  it("puts each value in the bucket whose upper bound is the first at or above it", () => {
    const cases: [number, (b: number) => boolean][] = [
      [0, (b) => b === 0],
      [-5, (b) => b === 0],
      [0.01, (b) => b === 0],
      [Number.NaN, (b) => b === 0],
      [1e15, (b) => b === 400],
    ];
    for (const [v, ok] of cases) assert.ok(ok(bucketOf(v)), `bucket of ${v}`);
    for (const v of [0.02, 1, 7.5, 10, 99.9, 100, 1234, 60_000]) {
      const b = bucketOf(v);
      assert.ok(v <= bucketUpper(b) * (1 + 1e-12), `${v} <= upper(${b})`);
      assert.ok(v > bucketUpper(b - 1) * (1 - 1e-12), `${v} > upper(${b - 1})`);
    }
    // An exact bound stays in its own bucket despite floating point.
    assert.equal(bucketOf(bucketUpper(80)), 80);
  });

  it("estimates percentiles within 5% and answers exactly at the edges", () => {
    const values = Array.from({ length: 1000 }, (_, i) => i + 1); // 1..1000 ms
    const h = histOf(values);
    const cases: [number, number][] = [
      [50, 500],
      [90, 900],
      [99, 990],
      [10, 100],
    ];
    for (const [p, truth] of cases) {
      const got = percentile(h, p, 1, 1000) ?? NaN;
      assert.ok(Math.abs(got - truth) / truth < 0.05, `p${p}: ${got} vs ${truth}`);
    }
    assert.equal(percentile(h, 0, 1, 1000), 1);
    assert.equal(percentile(h, 100, 1, 1000), 1000);
    assert.equal(percentile(new Map(), 50, 0, 0), undefined);
  });

  it("answers exactly when every sample is the same (clamped to min and max)", () => {
    assert.equal(percentile(histOf([42, 42, 42]), 99, 42, 42), 42);
  });

  it("computes percentiles across minutes by adding bucket counts", () => {
    const fast = histOf(Array.from({ length: 300 }, () => 10));
    const slow = histOf(Array.from({ length: 100 }, () => 1000));
    const both: Histogram = new Map();
    mergeInto(both, fast);
    mergeInto(both, slow);
    const near = (got: number | undefined, want: number): boolean => got !== undefined && Math.abs(got - want) / want < 0.05;
    assert.ok(near(percentile(both, 50, 10, 1000), 10), "p50 is in the fast minute");
    assert.ok(near(percentile(both, 75, 10, 1000), 10), "p75 is the last fast request");
    assert.ok(near(percentile(both, 90, 10, 1000), 1000), "p90 is in the slow minute");
  });

  it("round-trips through its stored form", () => {
    const h = histOf([0, 1, 1, 250, 9000]);
    assert.deepEqual(decodeHistogram(encodeHistogram(h)), h);
    assert.deepEqual(decodeHistogram(null), new Map());
  });
});
