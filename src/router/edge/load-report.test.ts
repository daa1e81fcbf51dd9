import assert from "node:assert/strict";
import { test } from "node:test";
import { parseLoadReport } from "./load-report.js";

test("parseLoadReport: only well-formed reports reach the autoscaler", () => {
  const ok = { name: "node-1", loads: [{ serviceId: "s1", inFlight: 2, queued: 0, perInstance: { a: 2 } }] };
  assert.deepEqual(parseLoadReport(ok), ok);
  assert.deepEqual(parseLoadReport({ name: "n", loads: [{ serviceId: "s1", inFlight: 0, queued: 0 }] }), { name: "n", loads: [{ serviceId: "s1", inFlight: 0, queued: 0, perInstance: {} }] });
  // The request counter travels: a service that scales to zero and is served only by edge routers stays awake on it.
  assert.deepEqual(parseLoadReport({ name: "n", loads: [{ serviceId: "s1", inFlight: 0, queued: 2, requests: 41 }] }), { name: "n", loads: [{ serviceId: "s1", inFlight: 0, queued: 2, requests: 41, perInstance: {} }] });
  const bad: unknown[] = [
    null,
    {},
    { name: "", loads: [] },
    { name: "has space", loads: [] },
    { name: "n", loads: {} },
    { name: "n", loads: [{ serviceId: "s1", inFlight: -1, queued: 0 }] },
    { name: "n", loads: [{ serviceId: "s1", inFlight: 1, queued: "2" }] },
    { name: "n", loads: [{ inFlight: 1, queued: 0 }] },
    { name: "n", loads: [{ serviceId: "s1", inFlight: 1, queued: 0, perInstance: { a: Number.NaN } }] },
    { name: "n", loads: [{ serviceId: "s1", inFlight: Infinity, queued: 0 }] },
    { name: "n", loads: [{ serviceId: "s1", inFlight: 0, queued: 0, requests: -1 }] },
  ];
  for (const b of bad) assert.equal(typeof parseLoadReport(b), "string", JSON.stringify(b));
});
