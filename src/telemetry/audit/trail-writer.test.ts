import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { TrailEntry } from "./cloudtrail-event.js";
import { TrailStore } from "./trail-store.js";
import { packedBatchOf } from "./packed-trail.js";
import { TrailWriter } from "./trail-writer.js";

const SERVICE = "arn:aws:apprunner:us-east-1:123456789012:service/a/0123456789abcdef0123456789abcdef";

const unpackedEntry = (n: number): TrailEntry => ({
  eventId: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
  eventTime: 1000 * n,
  eventName: n % 2 === 0 ? "DescribeService" : "UpdateService",
  eventSource: "apprunner.amazonaws.com",
  readOnly: n % 2 === 0,
  username: n % 3 === 0 ? undefined : "root",
  accessKeyId: "AKIAROOT",
  resources: [{ ResourceType: "AWS::AppRunner::Service", ResourceName: SERVICE }],
  event: JSON.stringify({ n, text: "ü→" }),
});
const entry = unpackedEntry;
/** What the recorder hands the writer: the entries' rows packed as bytes. */
const batch = (...ns: number[]) => packedBatchOf(ns.map(unpackedEntry));

/** Nice value of each thread of this process, by thread id (Linux: field 19 of /proc/self/task/<tid>/stat). */
function threadNiceValues(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync("/proc/self/task")) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
    // Fields after the command name, which may hold spaces: state is field 3, nice field 19.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    out.set(Number(tid), Number(fields[16]));
  }
  return out;
}

describe("the trail writer thread", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "trail-writer-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes batches in order on its thread, as append() would; close() ends it after what was sent", async () => {
    const file = join(dir, "trail.db");
    const store = TrailStore.open(file);
    const writer = new TrailWriter(file);
    try {
      const first = writer.append(batch(1, 2));
      const second = writer.append(batch(3, 2));
      await Promise.all([first, second]);
      const rows = store.lookup({ start: 0, end: 10_000, limit: 10 });
      // Newest first; event 2 sent twice is stored once (a retried batch).
      assert.deepEqual(
        rows.map((r) => [r.eventId, r.eventName, r.readOnly, r.username, r.resources]),
        [3, 2, 1].map((n) => [entry(n).eventId, entry(n).eventName, entry(n).readOnly, entry(n).username, entry(n).resources]),
      );
      // The text sent as bytes is stored as the same text (TEXT, not a BLOB), non-ASCII included.
      assert.deepEqual(
        rows.map((r) => [typeof r.event, r.event]),
        [3, 2, 1].map((n) => ["string", unpackedEntry(n).event]),
      );
      assert.equal(store.lookup({ attribute: { key: "ResourceName", value: SERVICE }, start: 0, end: 10_000, limit: 10 }).length, 3);
      const last = writer.append(batch(4));
      await writer.close();
      await last;
      assert.equal(store.lookup({ start: 0, end: 10_000, limit: 10 }).length, 4);
    } finally {
      await writer.close();
      store.close();
    }
  });

  it("runs below the event loop's priority: its own thread's nice value, the others' unchanged", { skip: process.platform !== "linux" }, async () => {
    const file = join(dir, "nice.db");
    TrailStore.open(file).close();
    const before = threadNiceValues();
    const writer = new TrailWriter(file, { nice: 7 });
    try {
      await writer.append(batch(1));
      const after = threadNiceValues();
      const lowered = [...after].filter(([tid, nice]) => nice === 7 && before.get(tid) !== 7);
      assert.equal(lowered.length, 1, `one thread at nice 7: ${JSON.stringify([...after])}`);
      assert.equal(after.get(process.pid), before.get(process.pid));
      for (const [tid, nice] of before) if (after.has(tid)) assert.equal(after.get(tid), nice, `thread ${tid} kept its nice value`);
    } finally {
      await writer.close();
    }
  });

  it("fails a batch it cannot write, with the reason, and writes the next one once it can", async () => {
    // A regular file where the trail's directory should be: the thread's store cannot open, as root too.
    const blocker = join(dir, "blocked");
    writeFileSync(blocker, "");
    const file = join(blocker, "trail.db");
    const writer = new TrailWriter(file);
    try {
      await assert.rejects(writer.append(batch(1)), /audit trail write failed/);
      rmSync(blocker);
      await writer.append(batch(2));
      const store = TrailStore.open(file);
      assert.deepEqual(
        store.lookup({ start: 0, end: 10_000, limit: 10 }).map((r) => r.eventId),
        [entry(2).eventId],
      );
      store.close();
    } finally {
      await writer.close();
    }
  });
});
