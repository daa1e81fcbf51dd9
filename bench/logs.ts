/**
 * Logs: ingestion through the log sink (batched) into a fresh logs.db, FilterLogEvents latency
 * over the resulting group (a term pattern, a JSON pattern, an unfiltered time-range page)
 * through `openrunner up` and @aws-sdk/client-cloudwatch-logs, and logs.db's size before and
 * after a retention sweep that expires half the lines. Optionally, how long `aws logs tail
 * --follow` takes to print a new line. Baselines in the same run: a plain SQLite insert loop
 * (one table, no index, same batches), `grep -c` over the same lines in a flat file, and the
 * same time-range read straight from SQLite.
 *
 *   node dist/bench/logs.js [--lines 1000000] [--streams 100] [--repeat 5] [--tail-samples 8] [--out results.json]
 */
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, FilterLogEventsCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import Database from "better-sqlite3";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { LogStore } from "../src/telemetry/logs/store/log-store.js";
import { openLogDatabase } from "../src/telemetry/logs/store/open.js";
import { sweep } from "../src/telemetry/logs/store/sweeper.js";
import { systemClock } from "../src/util/clock.js";
import { OPENRUNNER_CLI, spawnReady } from "./lib/child.js";
import { makeLines, type BenchLine } from "./lib/log-lines.js";
import { machineFacts } from "./lib/machine.js";
import { readCredentials } from "./lib/openrunner.js";
import { sleep } from "./lib/proc-status.js";
import { fmt, markdownTable, percentile } from "./lib/stats.js";

const { values: args } = parseArgs({
  options: {
    lines: { type: "string", default: "1000000" },
    streams: { type: "string", default: "100" },
    repeat: { type: "string", default: "5" },
    "tail-samples": { type: "string", default: "8" },
    out: { type: "string" },
  },
});
const LINES = Number(args.lines);
const STREAMS = Number(args.streams);
const REPEAT = Number(args.repeat);
const TAIL_SAMPLES = Number(args["tail-samples"]);
for (const [name, v] of Object.entries({ LINES, STREAMS, REPEAT, TAIL_SAMPLES })) {
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a non-negative integer`);
}
const DAY = 86_400_000;
const GROUP = "/aws/apprunner/bench/0123456789abcdef0123456789abcdef/application";
const AWS = "/usr/bin/aws";
const MiB = 1024 * 1024;

const median = (xs: number[]): number => percentile([...xs].sort((a, b) => a - b), 50);

/** Every line through LogSink.append, one call per line, as a runtime forwarding output would. */
function ingestThroughSink(file: string, lines: readonly BenchLine[]): number {
  const store = LogStore.open(file, systemClock);
  const t0 = performance.now();
  for (const l of lines) store.append(GROUP, l.stream, [{ timestamp: l.timestamp, message: l.message }]);
  store.flush();
  const ms = performance.now() - t0;
  store.close();
  return ms;
}

/** Baseline: the cheapest durable SQLite write of the same lines (same pragmas and batch size). */
function plainInsert(file: string, lines: readonly BenchLine[]): number {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(`CREATE TABLE lines (stream TEXT NOT NULL, ts INTEGER NOT NULL, message TEXT NOT NULL)`);
  const insert = db.prepare(`INSERT INTO lines VALUES (?, ?, ?)`);
  const batch = db.transaction((xs: readonly BenchLine[]) => {
    for (const l of xs) insert.run(l.stream, l.timestamp, l.message);
  });
  const t0 = performance.now();
  for (let i = 0; i < lines.length; i += 2000) batch(lines.slice(i, i + 2000));
  const ms = performance.now() - t0;
  db.close();
  return ms;
}

/** Size on disk after moving the WAL into the database file. */
function dbSize(file: string): number {
  const db = new Database(file);
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  const wal = `${file}-wal`;
  return statSync(file).size + (existsSync(wal) ? statSync(wal).size : 0);
}

interface FilterResult {
  firstPageMs: number[];
  allPagesMs: number[];
  calls: number;
  events: number;
}

async function filterRuns(client: CloudWatchLogsClient, input: Record<string, unknown>, firstPageOnly: boolean): Promise<FilterResult> {
  const r: FilterResult = { firstPageMs: [], allPagesMs: [], calls: 0, events: 0 };
  for (let rep = 0; rep < REPEAT; rep++) {
    const t0 = performance.now();
    let token: string | undefined;
    let calls = 0;
    let events = 0;
    do {
      const out = await client.send(new FilterLogEventsCommand({ logGroupName: GROUP, ...input, nextToken: token }));
      if (calls === 0) r.firstPageMs.push(performance.now() - t0);
      calls++;
      events += out.events?.length ?? 0;
      token = firstPageOnly ? undefined : out.nextToken;
    } while (token);
    r.allPagesMs.push(performance.now() - t0);
    r.calls = calls;
    r.events = events;
  }
  return r;
}

function grepMs(pattern: string, file: string): { ms: number[]; count: number } {
  const ms: number[] = [];
  let count = 0;
  for (let rep = 0; rep < REPEAT; rep++) {
    const t0 = performance.now();
    const r = spawnSync("grep", ["-c", "-F", pattern, file], { encoding: "utf8" });
    ms.push(performance.now() - t0);
    count = Number(r.stdout.trim());
  }
  return { ms, count };
}

/** Baseline for the time-range page: the same rows read straight from logs.db, no HTTP, no JSON. */
function directRangeMs(file: string, start: number, end: number): number[] {
  const db = openLogDatabase(file);
  const groupId = db.prepare(`SELECT id FROM log_groups WHERE name = ?`).pluck().get(GROUP) as number;
  const stmt = db.prepare(
    `SELECT id, stream_id, timestamp, ingestion_time, message FROM log_events INDEXED BY log_events_group_time
     WHERE group_id = ? AND timestamp >= ? AND timestamp < ? ORDER BY timestamp, id LIMIT 10000`,
  );
  const ms: number[] = [];
  for (let rep = 0; rep < REPEAT; rep++) {
    const t0 = performance.now();
    stmt.all(groupId, start, end + 1);
    ms.push(performance.now() - t0);
  }
  db.close();
  return ms;
}

/** Time from a PutLogEvents response to the line on `aws logs tail --follow`'s stdout. */
async function tailLatency(client: CloudWatchLogsClient, endpoint: string, dataDir: string): Promise<number[]> {
  const group = "/bench/tail";
  await client.send(new CreateLogGroupCommand({ logGroupName: group }));
  await client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "s" }));
  const put = (message: string): Promise<unknown> =>
    client.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: "s", logEvents: [{ timestamp: Date.now(), message }] }));
  await put("tail-ready");
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_SHARED_CREDENTIALS_FILE: join(dataDir, "credentials"), AWS_CONFIG_FILE: join(dataDir, "config") };
  const child = spawn(AWS, ["logs", "tail", group, "--follow", "--format", "short", "--profile", "openrunner", "--endpoint-url", endpoint], {
    env: { ...env, AWS_PAGER: "", PYTHONUNBUFFERED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((ok) => child.once("exit", () => ok()));
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  const waitFor = async (text: string): Promise<void> => {
    for (const until = Date.now() + 20_000; !out.includes(text); await sleep(5)) {
      if (Date.now() > until) throw new Error(`aws logs tail did not print ${text}:\n${out}`);
    }
  };
  const latencies: number[] = [];
  try {
    await waitFor("tail-ready");
    for (let i = 0; i < TAIL_SAMPLES; i++) {
      // Spread the appends over the CLI's 5-second poll cycle.
      await sleep(((i * 1237) % 5000) + 50);
      await put(`tail-sample-${i}`);
      const t0 = performance.now();
      await waitFor(`tail-sample-${i}\n`);
      latencies.push(performance.now() - t0);
    }
  } finally {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, "SIGTERM");
    await exited;
  }
  return latencies;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "openrunner-bench-logs-"));
  const logsDb = join(dir, "logs.db");
  try {
    const now = Date.now();
    const lines = makeLines(LINES, STREAMS, now - 2 * DAY, 2 * DAY);
    const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l.message), 0);
    const flat = join(dir, "lines.log");
    writeFileSync(flat, `${lines.map((l) => l.message).join("\n")}\n`);

    const sinkMs = ingestThroughSink(logsDb, lines);
    const plainMs = plainInsert(join(dir, "plain.db"), lines);
    const sizeAfterIngest = dbSize(logsDb);
    const plainSize = dbSize(join(dir, "plain.db"));

    const server = await spawnReady([OPENRUNNER_CLI, "up", "--data-dir", dir, "--port", "0"]);
    const client = new CloudWatchLogsClient({
      endpoint: server.ready,
      region: "us-east-1",
      credentials: readCredentials(join(dir, "credentials")),
      maxAttempts: 1,
      requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 1 }), requestTimeout: 120_000 },
    });
    let term: FilterResult, json: FilterResult, range: FilterResult, tail: number[] = [];
    const mid = now - DAY;
    try {
      term = await filterRuns(client, { filterPattern: "ERROR" }, false);
      json = await filterRuns(client, { filterPattern: '{ $.level = "error" }' }, false);
      range = await filterRuns(client, { startTime: mid, endTime: mid + 3_600_000 }, true);
      if (TAIL_SAMPLES > 0 && existsSync(AWS)) tail = await tailLatency(client, server.ready, dir);
    } finally {
      client.destroy();
      await server.stop();
    }
    const grepTerm = grepMs("ERROR", flat);
    const grepJson = grepMs('"level":"error"', flat);
    const direct = directRangeMs(logsDb, mid, mid + 3_600_000);

    // Retention: a 1-day policy over 2 days of lines expires the older half.
    const db = openLogDatabase(logsDb);
    db.prepare(`UPDATE log_groups SET retention_days = 1 WHERE name = ?`).run(GROUP);
    const t0 = performance.now();
    const swept = await sweep(db, now);
    const sweepMs = performance.now() - t0;
    db.close();
    const sizeAfterSweep = dbSize(logsDb);

    const results = {
      machine: machineFacts(),
      lines: LINES,
      streams: STREAMS,
      messageMiB: bytes / MiB,
      ingestion: { sinkMs, sinkLinesPerS: (LINES / sinkMs) * 1000, plainMs, plainLinesPerS: (LINES / plainMs) * 1000 },
      filter: { term, json, range, grepTerm, grepJson, directRangeMs: direct },
      tailMs: tail,
      retention: { sizeAfterIngest, plainSize, sweptEvents: swept.deletedEvents, batches: swept.batches, sweepMs, sizeAfterSweep },
    };
    if (args.out) writeFileSync(args.out, `${JSON.stringify(results, null, 2)}\n`);
    print(results);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function print(r: {
  lines: number;
  messageMiB: number;
  ingestion: { sinkMs: number; sinkLinesPerS: number; plainMs: number; plainLinesPerS: number };
  filter: { term: FilterResult; json: FilterResult; range: FilterResult; grepTerm: { ms: number[]; count: number }; grepJson: { ms: number[]; count: number }; directRangeMs: number[] };
  tailMs: number[];
  retention: { sizeAfterIngest: number; plainSize: number; sweptEvents: number; batches: number; sweepMs: number; sizeAfterSweep: number };
}): void {
  const { ingestion: i, filter: f, retention: ret } = r;
  process.stdout.write(`${r.lines} lines, ${fmt(r.messageMiB, 1)} MiB of messages\n\n`);
  process.stdout.write(
    `${markdownTable(
      ["ingestion", "seconds", "lines/s", "MiB/s"],
      [
        ["LogSink.append per line (batched) into logs.db", fmt(i.sinkMs / 1000), fmt(i.sinkLinesPerS, 0), fmt((r.messageMiB / i.sinkMs) * 1000, 1)],
        ["baseline: plain SQLite insert loop, no index", fmt(i.plainMs / 1000), fmt(i.plainLinesPerS, 0), fmt((r.messageMiB / i.plainMs) * 1000, 1)],
      ],
    )}\n\n`,
  );
  const row = (name: string, x: FilterResult): string[] => [name, String(x.events), String(x.calls), fmt(median(x.firstPageMs), 1), fmt(median(x.allPagesMs), 1)];
  process.stdout.write(
    `${markdownTable(
      ["query (median of runs)", "events", "calls", "first page ms", "all pages ms"],
      [
        row("FilterLogEvents `ERROR`", f.term),
        ["baseline: grep -c -F ERROR (flat file)", String(f.grepTerm.count), "-", "-", fmt(median(f.grepTerm.ms), 1)],
        row('FilterLogEvents `{ $.level = "error" }`', f.json),
        ['baseline: grep -c -F \'"level":"error"\'', String(f.grepJson.count), "-", "-", fmt(median(f.grepJson.ms), 1)],
        row("FilterLogEvents, 1 hour, no pattern (first page)", f.range),
        ["baseline: same rows straight from SQLite", "-", "-", fmt(median(f.directRangeMs), 1), "-"],
      ],
    )}\n\n`,
  );
  if (r.tailMs.length > 0) {
    const s = [...r.tailMs].sort((a, b) => a - b);
    process.stdout.write(`aws logs tail --follow, PutLogEvents -> printed (ms): min ${fmt(s[0] ?? NaN, 0)}, median ${fmt(median(s), 0)}, max ${fmt(s.at(-1) ?? NaN, 0)} over ${s.length}\n\n`);
  }
  process.stdout.write(
    `${markdownTable(
      ["logs.db", "MiB"],
      [
        ["after ingestion", fmt(ret.sizeAfterIngest / MiB, 1)],
        ["baseline: plain SQLite table of the same lines", fmt(ret.plainSize / MiB, 1)],
        [`after a sweep expiring ${ret.sweptEvents} events (${ret.batches} batches, ${fmt(ret.sweepMs / 1000)} s)`, fmt(ret.sizeAfterSweep / MiB, 1)],
      ],
    )}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
