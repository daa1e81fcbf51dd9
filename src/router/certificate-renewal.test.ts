import assert from "node:assert/strict";
import { test } from "node:test";
import { shouldReport } from "./certificate-renewal.js";

test("shouldReport: issues and failures always, a quiet check only right after a failure (it clears it)", () => {
  const table: Array<[Parameters<typeof shouldReport>[0], boolean, boolean]> = [
    ["issued", false, true],
    ["issued", true, true],
    ["failed", false, true],
    ["failed", true, true],
    ["current", false, false],
    ["current", true, true],
  ];
  for (const [outcome, lastFailed, want] of table) assert.equal(shouldReport(outcome, lastFailed), want, `${outcome} after failure=${lastFailed}`);
});
