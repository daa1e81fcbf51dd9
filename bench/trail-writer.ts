/**
 * The audit trail writer's cost per event: what the writer thread does with each batch
 * (unpack the rows, append them to `trail.db` in one transaction), on a trail already holding
 * `--prefill` events, with random version-4 event ids (as before December (4)) and with
 * time-ordered ones (timeOrderedUuid), alternated in the same process, a fresh trail each.
 * Events look like DescribeService's (one resource, ~1 KB of text).
 *
 *   node dist/bench/trail-writer.js [--prefill 100000] [--events 20000] [--batch 500] [--rounds 2]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { TrailEntry } from "../src/telemetry/audit/cloudtrail-event.js";
import { packedBatchOf, unpackRows } from "../src/telemetry/audit/packed-trail.js";
import { TrailStore } from "../src/telemetry/audit/trail-store.js";
import { cryptoRandom, timeOrderedUuid, uuid } from "../src/util/random.js";
import { positive } from "./lib/args.js";
import { machineFacts } from "./lib/machine.js";
import { markdownTable } from "./lib/stats.js";

const { values: args } = parseArgs({
  options: {
    prefill: { type: "string", default: "100000" },
    events: { type: "string", default: "20000" },
    batch: { type: "string", default: "500" },
    rounds: { type: "string", default: "2" },
  },
});
const PREFILL = positive("prefill", args.prefill);
const EVENTS = positive("events", args.events);
const BATCH = positive("batch", args.batch);
const ROUNDS = positive("rounds", args.rounds);

type Ids = "random" | "time-ordered";
const START = Date.UTC(2026, 11, 6);
const TEXT = JSON.stringify({ eventVersion: "1.08", padding: "x".repeat(900) });

function entry(ids: Ids, n: number): TrailEntry {
  // 8,000 calls a second, as bench/api-latency reaches.
  const time = START + Math.floor(n / 8);
  return {
    eventId: ids === "random" ? uuid(cryptoRandom) : timeOrderedUuid(cryptoRandom, time),
    eventTime: Math.floor(time / 1000) * 1000,
    eventName: "DescribeService",
    eventSource: "apprunner.amazonaws.com",
    readOnly: true,
    username: "root",
    accessKeyId: "AKIAIOSFODNN7EXAMPLE",
    resources: [{ ResourceType: "AWS::AppRunner::Service", ResourceName: `arn:aws:apprunner:us-east-1:123456789012:service/s${n % 25}/0123456789abcdef` }],
    event: TEXT,
  };
}

/** µs per event appended after the prefill, the batches packed and unpacked as the writer thread gets them. */
function measure(ids: Ids): number {
  const dir = mkdtempSync(join(tmpdir(), "openrunner-bench-trail-"));
  const store = TrailStore.open(join(dir, "trail.db"));
  try {
    let n = 0;
    const batch = (): ReturnType<typeof packedBatchOf> => packedBatchOf(Array.from({ length: BATCH }, () => entry(ids, n++)));
    while (n < PREFILL) store.appendRows(unpackRows(batch()));
    const batches = Array.from({ length: Math.ceil(EVENTS / BATCH) }, batch);
    const started = process.hrtime.bigint();
    for (const b of batches) store.appendRows(unpackRows(b));
    return Number(process.hrtime.bigint() - started) / 1000 / (batches.length * BATCH);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows: string[][] = [];
for (let round = 1; round <= ROUNDS; round++) {
  for (const ids of ["random", "time-ordered"] as const) rows.push([String(round), ids, String(PREFILL), measure(ids).toFixed(2)]);
}
const m = machineFacts();
process.stdout.write(`node ${m.node}, ${m.nproc} CPUs (${m.cpuModel}); ${EVENTS} events in batches of ${BATCH} after ${PREFILL}.\n\n`);
process.stdout.write(`${markdownTable(["round", "event ids", "events before", "µs per event"], rows)}\n`);
