import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { alignStart, periodCount, rollup, type MinuteSet } from "./rollup.js";
import { mergeSets, parsePercentile, statisticValue, type StatSet } from "./statistics.js";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const M0 = T0 / 60_000;
const set = (v: number): StatSet => ({ sum: v, count: 1, min: v, max: v });
const minutes = (values: Record<number, number>): MinuteSet[] => Object.entries(values).map(([m, v]) => ({ minute: M0 + Number(m), set: set(v) }));

describe("period rollup", () => {
  it("rounds StartTime down to the minute", () => {
    assert.equal(alignStart(T0 + 34_567), T0);
    assert.equal(alignStart(T0), T0);
  });

  it("counts the periods a range asks for", () => {
    const cases: [number, number, number, number][] = [
      [T0, T0 + 3_600_000, 60, 60],
      [T0, T0 + 3_600_000, 300, 12],
      [T0 + 30_000, T0 + 61_000, 60, 2],
      [T0, T0 + 86_400_000, 60, 1440],
      [T0, T0 + 86_400_001, 60, 1441],
      [T0 + 10, T0, 60, 0],
    ];
    for (const [start, end, period, want] of cases) assert.equal(periodCount(start, end, period), want, `${start}-${end}/${period}`);
  });

  it("merges minutes into periods from the aligned start, in time order, leaving empty periods out", () => {
    const rows = minutes({ 0: 1, 1: 2, 4: 10, 5: 20, 11: 7 });
    const out = rollup(rows, T0 + 15_000, T0 + 15 * 60_000, 300);
    assert.deepEqual(
      out.map((p) => [(p.start - T0) / 60_000, p.set.sum, p.set.count, p.set.min, p.set.max]),
      [
        [0, 13, 3, 1, 10],
        [5, 20, 1, 20, 20],
        [10, 7, 1, 7, 7],
      ],
    );
  });

  it("treats StartTime as inclusive and EndTime as exclusive", () => {
    const rows = minutes({ [-1]: 100, 0: 1, 2: 2, 3: 3 });
    const out = rollup(rows, T0, T0 + 3 * 60_000, 60);
    assert.deepEqual(out.map((p) => p.set.sum), [1, 2]);
  });

  it("keeps histograms apart from the stored rows while merging", () => {
    const stored: StatSet = { ...set(5), hist: new Map([[3, 1]]) };
    const out = rollup([{ minute: M0, set: stored }, { minute: M0 + 1, set: { ...set(6), hist: new Map([[3, 2]]) } }], T0, T0 + 120_000, 120);
    assert.deepEqual([...(out[0]?.set.hist ?? [])], [[3, 3]]);
    assert.deepEqual([...(stored.hist ?? [])], [[3, 1]], "the input set is not modified");
  });
});

describe("statistics of a set", () => {
  it("derives CloudWatch's five statistics", () => {
    const s = mergeSets(set(2), { sum: 10, count: 3, min: 1, max: 6 });
    assert.deepEqual(
      (["SampleCount", "Average", "Sum", "Minimum", "Maximum"] as const).map((stat) => statisticValue(s, stat)),
      [4, 3, 12, 1, 6],
    );
  });

  it("accepts pNN and pNN.NN percentiles only", () => {
    const cases: [string, number | undefined][] = [
      ["p99", 99],
      ["p50", 50],
      ["p99.9", 99.9],
      ["p0", 0],
      ["p100", 100],
      ["p100.5", undefined],
      ["tm99", undefined],
      ["P99", undefined],
      ["p", undefined],
      ["p99.999", undefined],
    ];
    for (const [name, want] of cases) assert.equal(parsePercentile(name), want, name);
  });
});
