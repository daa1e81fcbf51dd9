import assert from "node:assert/strict";
import { closeSync, openSync, writeSync } from "node:fs";
import { mkdtemp, readFile, rename, rm, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { LogSink } from "../../telemetry/log-sink.js";
import { ManualClock } from "../../util/clock.js";
import { LogTailer, MAX_LINE_BYTES, type LogTailerOptions } from "./log-tail.js";

const GROUP = "/aws/apprunner/web/0123456789abcdef0123456789abcdef/application";
const STREAM = "instance/abc";

class MemorySink implements LogSink {
  readonly events: { group: string; stream: string; timestamp: number; message: string }[] = [];
  appends = 0;
  append(group: string, stream: string, events: readonly { timestamp: number; message: string }[]): void {
    this.appends++;
    for (const e of events) this.events.push({ group, stream, ...e });
  }
  get messages(): string[] {
    return this.events.map((e) => e.message);
  }
}

/** A writer like the container's: O_APPEND, fd kept open. */
class Writer {
  private fd: number;
  constructor(file: string) {
    this.fd = openSync(file, "a");
  }
  write(s: string): void {
    writeSync(this.fd, s);
  }
  close(): void {
    closeSync(this.fd);
  }
}

async function until(cond: () => boolean, deadlineMs = 5000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!cond()) {
    if (Date.now() > end) assert.fail("condition not met before the deadline");
    await new Promise((r) => setTimeout(r, 5));
  }
}

const dirs: string[] = [];
const tailers: LogTailer[] = [];
const writers: Writer[] = [];

async function setup(extra: Partial<LogTailerOptions> = {}): Promise<{
  dir: string;
  file: string;
  offsetFile: string;
  sink: MemorySink;
  clock: ManualClock;
  logs: string[];
  writer: Writer;
  tailer: (more?: Partial<LogTailerOptions>) => LogTailer;
}> {
  const dir = await mkdtemp(join(tmpdir(), "log-tail-"));
  dirs.push(dir);
  const file = join(dir, "output.log");
  const offsetFile = join(dir, "output.offset");
  const sink = new MemorySink();
  const clock = new ManualClock();
  const logs: string[] = [];
  const writer = new Writer(file);
  writers.push(writer);
  const tailer = (more: Partial<LogTailerOptions> = {}): LogTailer => {
    const t = new LogTailer({
      file,
      offsetFile,
      sink,
      group: GROUP,
      stream: STREAM,
      clock,
      logger: (m) => logs.push(m),
      ...extra,
      ...more,
    });
    tailers.push(t);
    return t;
  };
  return { dir, file, offsetFile, sink, clock, logs, writer, tailer };
}

describe("LogTailer", () => {
  after(async () => {
    for (const t of tailers) await t.stop();
    for (const w of writers) {
      try {
        w.close();
      } catch {
        // already closed by its test
      }
    }
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it("ships new lines to the instance stream within a short time", async (ctx) => {
    const { writer, sink, clock, tailer } = await setup();
    const t = tailer();
    t.start();
    writer.write("hello\nworld\n");
    await until(() => sink.events.length === 2);
    assert.deepEqual(sink.events, [
      { group: GROUP, stream: STREAM, timestamp: clock.now(), message: "hello" },
      { group: GROUP, stream: STREAM, timestamp: clock.now(), message: "world" },
    ]);
    // Latency of later lines (fs.watch, or the 250 ms poll): reported, not asserted tightly.
    const lags: number[] = [];
    for (let i = 0; i < 5; i++) {
      const n = sink.events.length;
      const t0 = performance.now();
      writer.write(`line ${i}\n`);
      await until(() => sink.events.length === n + 1);
      lags.push(Math.round(performance.now() - t0));
    }
    assert.ok(Math.max(...lags) < 3000);
    ctx.diagnostic(`log-tail latency (ms): ${lags.join(", ")}`);
    await t.stop();
  });

  it("holds a partial line until its end arrives", async () => {
    const { writer, sink, tailer } = await setup();
    const t = tailer();
    writer.write("one\npar");
    await t.flushNow();
    assert.deepEqual(sink.messages, ["one"]);
    writer.write("tial line\ntwo");
    await t.flushNow();
    assert.deepEqual(sink.messages, ["one", "partial line"]);
    writer.write("\n");
    await t.flushNow();
    assert.deepEqual(sink.messages, ["one", "partial line", "two"]);
  });

  it("ships a partial line as it is once it is 1 s old", async () => {
    const { writer, sink, clock, tailer } = await setup();
    const t = tailer();
    writer.write("prompt> ");
    await t.flushNow();
    clock.advance(600);
    writer.write("still ");
    await t.flushNow();
    assert.deepEqual(sink.messages, []);
    clock.advance(400); // 1 s since the line's first bytes
    await t.flushNow();
    assert.deepEqual(sink.messages, ["prompt> still "]);
    writer.write("answer\n");
    await t.flushNow();
    assert.deepEqual(sink.messages, ["prompt> still ", "answer"]);
  });

  it("skips empty lines", async () => {
    const { writer, sink, tailer } = await setup();
    const t = tailer();
    writer.write("a\n\n\nb\n");
    await t.flushNow();
    assert.deepEqual(sink.messages, ["a", "b"]);
  });

  it("resumes from the saved offset after a restart: nothing lost, nothing twice", async () => {
    const { writer, sink, offsetFile, tailer } = await setup();
    const a = tailer();
    a.start();
    writer.write("1\n2\n3\nhal");
    await until(() => sink.events.length === 3);
    await a.stop({ final: false }); // the control plane stops; the container keeps writing
    assert.deepEqual(sink.messages, ["1", "2", "3"]);
    assert.equal(JSON.parse(await readFile(offsetFile, "utf8")).offset, 6);
    writer.write("f\n4\n5\n");

    const b = tailer();
    await b.flushNow();
    assert.deepEqual(sink.messages, ["1", "2", "3", "half", "4", "5"]);

    // Killed without stop(): the next tailer starts from what the last batch saved.
    writer.write("6\n");
    await b.flushNow();
    writer.write("7\n");
    const c = tailer();
    await c.flushNow();
    assert.deepEqual(sink.messages, ["1", "2", "3", "half", "4", "5", "6", "7"]);
  });

  it("stop() ships the trailing partial line when the container is gone", async () => {
    const { writer, sink, tailer } = await setup();
    const t = tailer();
    t.start();
    writer.write("done\nlast words");
    await t.stop();
    assert.deepEqual(sink.messages, ["done", "last words"]);
    await t.stop(); // idempotent
  });

  it("truncates the fully shipped file past maxFileBytes; the O_APPEND writer continues at 0", async () => {
    const { writer, sink, file, offsetFile, tailer } = await setup({ maxFileBytes: 100 });
    const t = tailer();
    const lines = Array.from({ length: 12 }, (_, i) => `line number ${String(i).padStart(2, "0")}`);
    writer.write(lines.map((l) => `${l}\n`).join("")); // 180 bytes
    await t.flushNow();
    assert.deepEqual(sink.messages, lines);
    assert.equal((await stat(file)).size, 0);
    assert.equal(JSON.parse(await readFile(offsetFile, "utf8")).offset, 0);
    writer.write("after truncation\n");
    assert.equal((await stat(file)).size, 17);
    await t.flushNow();
    assert.deepEqual(sink.messages, [...lines, "after truncation"]);
  });

  it("does not truncate while a partial line is unshipped", async () => {
    const { writer, sink, file, tailer } = await setup({ maxFileBytes: 10 });
    const t = tailer();
    writer.write("0123456789abc\npartial");
    await t.flushNow();
    assert.deepEqual(sink.messages, ["0123456789abc"]);
    assert.equal((await stat(file)).size, 21);
    writer.write(" end\n");
    await t.flushNow();
    assert.deepEqual(sink.messages, ["0123456789abc", "partial end"]);
    assert.equal((await stat(file)).size, 0);
  });

  it("starts over when someone truncated the file or replaced it", async () => {
    const { writer, sink, file, logs, tailer } = await setup();
    const t = tailer();
    writer.write("old line one\nold line two\n");
    await t.flushNow();
    await truncate(file, 0);
    writer.write("new\n");
    await t.flushNow();
    assert.deepEqual(sink.messages, ["old line one", "old line two", "new"]);
    assert.ok(logs.some((l) => l.includes("truncated or replaced")));

    // Replaced by another file (another inode), even a longer one.
    await rename(file, `${file}.1`);
    await writeFile(file, "rotated one\nrotated two\nrotated three\n");
    await t.flushNow();
    assert.deepEqual(sink.messages.slice(3), ["rotated one", "rotated two", "rotated three"]);
  });

  it("caps a very long line and drops its rest", async () => {
    const { writer, sink, tailer } = await setup();
    const t = tailer();
    writer.write(`${"x".repeat(300 * 1024)}\nnext\n`);
    await t.flushNow();
    assert.equal(sink.events.length, 2);
    assert.equal(sink.messages[0]?.length, MAX_LINE_BYTES);
    assert.equal(sink.messages[1], "next");

    // Longer than the cap before its "\n" arrives: the head ships at once, the tail is dropped
    // even across reads and a restart.
    writer.write("y".repeat(2 * 1024 * 1024));
    await t.flushNow();
    assert.equal(sink.events.length, 3);
    assert.equal(sink.messages[2], "y".repeat(MAX_LINE_BYTES));
    await t.stop({ final: false });
    writer.write("yyyy tail\nafter\n");
    const t2 = tailer();
    await t2.flushNow();
    assert.deepEqual(sink.messages.slice(3), ["after"]);
  });

  it("cuts over-long lines on a UTF-8 character boundary", async () => {
    const { writer, sink, tailer } = await setup({ maxLineBytes: 10 });
    const t = tailer();
    writer.write("ééééééé\nok\n"); // 14 bytes: the cut at 10 falls between characters
    writer.write("aéééééé\n"); // 13 bytes: byte 10 is inside a character
    await t.flushNow();
    assert.deepEqual(sink.messages, ["ééééé", "ok", "aéééé"]);
  });

  it("waits for a missing file, logging once", async () => {
    const dir = await mkdtemp(join(tmpdir(), "log-tail-"));
    dirs.push(dir);
    const sink = new MemorySink();
    const logs: string[] = [];
    const file = join(dir, "output.log");
    const t = new LogTailer({
      file,
      offsetFile: join(dir, "output.offset"),
      sink,
      group: GROUP,
      stream: STREAM,
      pollMs: 20,
      logger: (m) => logs.push(m),
    });
    tailers.push(t);
    t.start();
    await new Promise((r) => setTimeout(r, 150));
    await t.flushNow();
    assert.equal(logs.length, 1);
    assert.match(logs[0] ?? "", /not found/);
    const w = new Writer(file);
    writers.push(w);
    w.write("finally\n");
    await until(() => sink.events.length === 1);
    assert.deepEqual(sink.messages, ["finally"]);
    assert.equal(logs.length, 1);
  });

  it("reads a big backlog in batches, one append per read", async () => {
    const { writer, sink, tailer } = await setup();
    const t = tailer();
    const line = `${"z".repeat(99)}\n`;
    writer.write(line.repeat(30_000)); // 3 MB
    await t.flushNow();
    assert.equal(sink.events.length, 30_000);
    assert.ok(sink.appends >= 3 && sink.appends <= 4, `appends: ${sink.appends}`);
  });
});
