import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backoffMs, decide, DEFAULT_RETRY, resultOfStatus, type AttemptResult, type Decision } from "./retry-policy.js";

const fail: AttemptResult = { ok: false, retryable: true, error: "HTTP 500" };
const fatal: AttemptResult = { ok: false, retryable: false, error: "HTTP 400" };

describe("delivery retry decisions", () => {
  it("waits 1.5, 4.5, 13.5 and 40.5 s by default: about a minute over five attempts", () => {
    const waits = [1, 2, 3, 4].map((n) => backoffMs(n, DEFAULT_RETRY));
    assert.deepEqual(waits, [1_500, 4_500, 13_500, 40_500]);
    assert.equal(waits.reduce((a, b) => a + b, 0), 60_000);
    assert.equal(backoffMs(10, DEFAULT_RETRY), DEFAULT_RETRY.maxDelayMs, "capped");
  });

  it("decides by attempts, retryability and maximum age", () => {
    const now = 1_000_000;
    const rows: [attempts: number, maxAttempts: number, giveUpAt: number | undefined, result: AttemptResult, expected: Decision][] = [
      [1, 5, undefined, { ok: true }, { kind: "delivered" }],
      [5, 5, undefined, { ok: true }, { kind: "delivered" }],
      [1, 5, undefined, fail, { kind: "retry", at: now + 1_500, error: "HTTP 500" }],
      [2, 5, undefined, fail, { kind: "retry", at: now + 4_500, error: "HTTP 500" }],
      [4, 5, undefined, fail, { kind: "retry", at: now + 40_500, error: "HTTP 500" }],
      [5, 5, undefined, fail, { kind: "dead-letter", error: "HTTP 500" }],
      [1, 1, undefined, fail, { kind: "dead-letter", error: "HTTP 500" }],
      [1, 5, undefined, fatal, { kind: "dead-letter", error: "HTTP 400 (not retried)" }],
      [1, 5, now + 1_500, fail, { kind: "retry", at: now + 1_500, error: "HTTP 500" }],
      [1, 5, now + 1_499, fail, { kind: "dead-letter", error: "HTTP 500 (maximum event age reached)" }],
    ];
    for (const [attempts, maxAttempts, giveUpAt, result, expected] of rows) {
      assert.deepEqual(decide({ attempts, maxAttempts, giveUpAt }, result, now, DEFAULT_RETRY), expected, JSON.stringify({ attempts, result }));
    }
  });

  it("retries what API destinations retry: 401, 407, 409, 429 and 5xx", () => {
    const table: [number, boolean | "ok"][] = [
      [200, "ok"],
      [202, "ok"],
      [204, "ok"],
      [301, false],
      [400, false],
      [401, true],
      [403, false],
      [404, false],
      [407, true],
      [409, true],
      [413, false],
      [429, true],
      [500, true],
      [502, true],
      [503, true],
    ];
    for (const [status, expected] of table) {
      const r = resultOfStatus(status);
      if (expected === "ok") assert.deepEqual(r, { ok: true }, String(status));
      else assert.deepEqual(r, { ok: false, retryable: expected, error: `HTTP ${status}` }, String(status));
    }
  });
});
