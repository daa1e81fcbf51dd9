import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { tierOf } from "./put-parameter.js";

describe("the tier a value is kept in", () => {
  const cases: [asked: string | undefined, previous: string | undefined, length: number, want: string | RegExp][] = [
    [undefined, undefined, 10, "Standard"],
    ["Advanced", undefined, 10, "Advanced"],
    [undefined, "Advanced", 10, "Advanced"],
    ["Intelligent-Tiering", undefined, 4096, "Standard"],
    ["Intelligent-Tiering", undefined, 4097, "Advanced"],
    ["Intelligent-Tiering", "Advanced", 10, "Advanced"],
    ["Standard", undefined, 4097, /maximum parameter value of 4096/],
    ["Standard", "Advanced", 10, /can't downgrade/],
    ["Advanced", undefined, 8193, /must not exceed 8192/],
  ];
  for (const [asked, previous, length, want] of cases) {
    it(`${asked ?? "(none)"} after ${previous ?? "(new)"}, ${length} bytes -> ${String(want)}`, () => {
      if (typeof want === "string") assert.equal(tierOf(asked, previous, length), want);
      else assert.throws(() => tierOf(asked, previous, length), { code: "SsmValidation", message: want });
    });
  }
});
