import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { checkScaleToZeroTag, DEFAULT_IDLE_MS, describeMs, idlePeriodOf, parseIdlePeriod, SCALE_TO_ZERO_TAG } from "./scale-to-zero.js";

describe("the openrunner:scale-to-zero tag", () => {
  const table: [string, number | undefined | "bad"][] = [
    ["true", DEFAULT_IDLE_MS],
    ["TRUE", DEFAULT_IDLE_MS],
    ["false", undefined],
    ["off", undefined],
    ["30s", 30_000],
    ["30", 30_000],
    ["5m", 300_000],
    ["1.5m", 90_000],
    ["24h", 86_400_000],
    ["29s", "bad"],
    ["25h", "bad"],
    ["5 minutes", "bad"],
    ["", "bad"],
    ["-5m", "bad"],
  ];
  for (const [value, want] of table) {
    it(`${JSON.stringify(value)} -> ${String(want)}`, () => {
      const got = parseIdlePeriod(value);
      if (want === "bad") assert.equal(typeof got, "object");
      else assert.equal(got, want);
    });
  }

  it("accepts a shorter lower bound when given one (tests)", () => {
    assert.equal(parseIdlePeriod("2s", { minMs: 1000 }), 2000);
    assert.equal(typeof parseIdlePeriod("2s"), "object");
  });

  it("refuses a bad value with InvalidRequest naming the tag and the bounds", () => {
    assert.throws(
      () => checkScaleToZeroTag([{ Key: SCALE_TO_ZERO_TAG, Value: "10s" }]),
      (err: unknown) => err instanceof AppRunnerError && err.code === "InvalidRequest" && /openrunner:scale-to-zero must be an idle period between 30 s and 24 h/.test(err.message),
    );
    checkScaleToZeroTag([{ Key: "other", Value: "10s" }]);
  });

  it("reads the idle period of a service's tags; an invalid stored value reads as off", () => {
    assert.equal(idlePeriodOf([{ Key: SCALE_TO_ZERO_TAG, Value: "5m" }]), 300_000);
    assert.equal(idlePeriodOf([{ Key: SCALE_TO_ZERO_TAG, Value: "soon" }]), undefined);
    assert.equal(idlePeriodOf([]), undefined);
    assert.equal(describeMs(900_000), "15 min");
  });
});
