import { closeSync, fstatSync, ftruncateSync, openSync, watch, type FSWatcher } from "node:fs";
import { open, readFile, rename, writeFile } from "node:fs/promises";
import type { LogSink } from "../../telemetry/log-sink.js";
import { systemClock, type Clock } from "../../util/clock.js";
import { PeriodicTask } from "../../util/periodic-task.js";

/** CloudWatch's largest event: 256 KiB including 26 bytes of per-event overhead. */
export const MAX_LINE_BYTES = 256 * 1024 - 26;
/** A line still without its "\n" after this long ships as it is. */
export const PARTIAL_LINE_MS = 1000;
const READ_CHUNK_BYTES = 1024 * 1024;
const WATCH_COALESCE_MS = 50;
const NEWLINE = 0x0a;

export interface LogTailerOptions {
  /** The instance's output file (stdout + stderr, written with O_APPEND). */
  file: string;
  /** Where the shipped position is kept across restarts (JSON, replaced atomically). */
  offsetFile: string;
  sink: LogSink;
  group: string;
  stream: string;
  clock?: Clock;
  /** Safety-net poll; fs.watch usually wakes the tailer sooner. */
  pollMs?: number;
  /** Once everything is shipped and the file is at least this large, it is truncated to 0. */
  maxFileBytes?: number;
  maxLineBytes?: number;
  partialLineMs?: number;
  logger?: (message: string, fields?: Record<string, unknown>) => void;
}

/** What `offsetFile` holds. */
interface SavedPosition {
  /** Bytes of the file before this position are shipped (or deliberately dropped). */
  offset: number;
  /** Inode of the file the offset belongs to: a replaced file starts over at 0. */
  ino?: number;
  /** Inside an over-long line whose head has shipped: drop bytes up to the next "\n". */
  skipping?: boolean;
}

/**
 * Ships an instance's output file to the log store, line by line: group
 * `/aws/apprunner/<service>/<id>/application`, stream `instance/<instance-id>`.
 *
 * The shipped position is saved after every batch, so a control plane killed and restarted
 * resumes where it stopped: no line is lost while the container keeps writing, and at most the
 * last batch is shipped twice (if the kill falls between append and save). A trailing line
 * without "\n" waits for its end, or ships as it is once it is `partialLineMs` old. Lines
 * longer than `maxLineBytes` are cut there (on a UTF-8 boundary); the rest of the line is
 * dropped. Empty lines are skipped (CloudWatch stores no empty events).
 *
 * The file is kept small: once it has reached `maxFileBytes` and all of it has shipped, it is
 * truncated to 0 (the writer's O_APPEND puts its next write at the new end). A write landing
 * in the microseconds between the size check and the truncation would be lost; a file found
 * shorter than the saved offset, or replaced (another inode), is read again from 0.
 */
export class LogTailer {
  private readonly clock: Clock;
  private readonly pollMs: number;
  private readonly maxFileBytes: number;
  private readonly maxLineBytes: number;
  private readonly partialLineMs: number;
  private readonly log: (message: string, fields?: Record<string, unknown>) => void;

  private loaded = false;
  private pos: SavedPosition = { offset: 0 };
  private savedJson = "";
  /** Bytes read after pos.offset that are not a complete line yet. */
  private partial: Buffer = Buffer.alloc(0);
  private partialSince: number | undefined;

  private started = false;
  private stopped = false;
  private poll: PeriodicTask | undefined;
  private watcher: FSWatcher | undefined;
  private kickTimer: NodeJS.Timeout | undefined;
  private watchedIno: number | undefined;
  private chain: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;
  private missingReported = false;
  private watchFailureReported = false;
  private lastError: string | undefined;

  constructor(private readonly opts: LogTailerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.pollMs = opts.pollMs ?? 250;
    this.maxFileBytes = opts.maxFileBytes ?? 8 * 1024 * 1024;
    this.maxLineBytes = opts.maxLineBytes ?? MAX_LINE_BYTES;
    this.partialLineMs = opts.partialLineMs ?? PARTIAL_LINE_MS;
    this.log = opts.logger ?? (() => undefined);
  }

  /** The saved position (for tests and diagnostics). */
  get offset(): number {
    return this.pos.offset;
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.poll = new PeriodicTask({
      name: "instance log shipping poll",
      everyMs: this.pollMs,
      firstRunMs: 0,
      run: () => this.kick(),
      logger: this.log,
      context: { file: this.opts.file },
    });
    this.poll.start();
  }

  /** Reads and ships everything written so far. Rejects if that fails. */
  flushNow(): Promise<void> {
    return this.request(false);
  }

  /**
   * Stops watching and ships what is left. With `final` (the default: the container is gone),
   * a trailing partial line ships too; with `final: false` (the control plane stops, the
   * container keeps running) it stays for the next tailer, which will ship it whole.
   * Never throws: a failure is logged.
   */
  async stop(options: { final?: boolean } = {}): Promise<void> {
    if (this.stopped) {
      await this.chain;
      return;
    }
    this.stopped = true;
    // Ends the schedule at once; the poll under way (if any) ends before the last cycle, which queues behind it.
    const pollStopped = this.poll?.stop();
    if (this.kickTimer) clearTimeout(this.kickTimer);
    this.closeWatcher();
    try {
      await this.request(options.final ?? true);
    } catch (err) {
      this.log("instance log shipping failed at stop", { file: this.opts.file, error: errorText(err) });
    }
    await pollStopped;
  }

  /**
   * fs.watch fires on every write: an app logging each request would make one read, append and
   * offset save per line. Waking at most every 50 ms ships the same lines in far fewer cycles.
   */
  private kickSoon(): void {
    if (this.kickTimer || this.stopped) return;
    this.kickTimer = setTimeout(() => {
      this.kickTimer = undefined;
      void this.kick();
    }, WATCH_COALESCE_MS);
    this.kickTimer.unref();
  }

  /** Poll and fs.watch path: coalesced, errors logged once per distinct error. Never rejects. */
  private kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return this.request(false).then(
      () => {
        if (this.lastError !== undefined) this.log("instance log shipping recovered", { file: this.opts.file });
        this.lastError = undefined;
      },
      (err: unknown) => {
        const text = errorText(err);
        if (text !== this.lastError) this.log("instance log shipping failed; will retry", { file: this.opts.file, error: text });
        this.lastError = text;
      },
    );
  }

  /** One cycle at a time; a request made while one is queued (not yet running) joins it. */
  private request(final: boolean): Promise<void> {
    if (this.queued && !final) return this.queued;
    const p: Promise<void> = this.chain.then(() => {
      if (this.queued === p) this.queued = undefined;
      return this.cycle(final);
    });
    this.queued = p;
    this.chain = p.then(
      () => undefined,
      () => undefined, // reported by whoever awaits `p`
    );
    return p;
  }

  private async cycle(final: boolean): Promise<void> {
    if (!this.loaded) await this.load();
    let handle;
    try {
      handle = await open(this.opts.file, "r");
    } catch (err) {
      if (isNotFound(err)) {
        if (!this.missingReported) this.log("instance output file not found yet; waiting for it", { file: this.opts.file });
        this.missingReported = true;
        return;
      }
      throw err;
    }
    this.missingReported = false;
    try {
      const st = await handle.stat();
      if ((this.pos.ino !== undefined && st.ino !== this.pos.ino) || st.size < this.pos.offset + this.partial.length) {
        if (this.pos.ino !== undefined) {
          this.log("instance output file was truncated or replaced; reading it from the start", {
            file: this.opts.file,
            offset: this.pos.offset,
            size: st.size,
          });
        }
        this.pos = { offset: 0, ino: st.ino };
        this.partial = Buffer.alloc(0);
        this.partialSince = undefined;
      }
      this.pos.ino = st.ino;
      if (this.started && !this.stopped) this.ensureWatch(st.ino);

      const buf = Buffer.allocUnsafe(READ_CHUNK_BYTES);
      for (;;) {
        const readPos = this.pos.offset + this.partial.length;
        const { bytesRead } = await handle.read(buf, 0, buf.length, readPos);
        if (bytesRead === 0) break;
        this.consume(buf.subarray(0, bytesRead));
        await this.save();
        if (bytesRead < buf.length) break;
      }
      const now = this.clock.now();
      if (this.partial.length > 0 && (final || now - (this.partialSince ?? now) >= this.partialLineMs)) {
        this.ship([this.partial]);
        this.pos.offset += this.partial.length;
        this.partial = Buffer.alloc(0);
        this.partialSince = undefined;
        await this.save();
      }
    } finally {
      await handle.close();
    }
    if (this.partial.length === 0 && this.pos.offset >= this.maxFileBytes) await this.truncate();
  }

  /** Splits new bytes into lines, ships the complete ones, keeps the partial tail. */
  private consume(chunk: Buffer): void {
    const data = this.partial.length > 0 ? Buffer.concat([this.partial, chunk]) : chunk;
    const hadPartial = this.partial.length > 0;
    const lines: Buffer[] = [];
    let start = 0;
    for (let nl = data.indexOf(NEWLINE, start); nl !== -1; nl = data.indexOf(NEWLINE, start)) {
      if (this.pos.skipping) this.pos.skipping = false;
      else lines.push(data.subarray(start, nl));
      start = nl + 1;
    }
    let rest = data.subarray(start);
    if (this.pos.skipping) {
      rest = Buffer.alloc(0);
    } else if (rest.length > this.maxLineBytes) {
      // An over-long line without its end: its head ships now, the rest is dropped.
      lines.push(rest);
      this.pos.skipping = true;
      rest = Buffer.alloc(0);
    }
    this.ship(lines);
    // `data` starts at pos.offset (the old partial was read but not shipped).
    this.pos.offset += data.length - rest.length;
    if (rest.length === 0) this.partialSince = undefined;
    else if (start > 0 || !hadPartial) this.partialSince = this.clock.now();
    this.partial = Buffer.from(rest);
  }

  private ship(lines: readonly Buffer[]): void {
    const timestamp = this.clock.now();
    const events: { timestamp: number; message: string }[] = [];
    for (const line of lines) {
      if (line.length === 0) continue;
      events.push({ timestamp, message: capUtf8(line, this.maxLineBytes).toString("utf8") });
    }
    if (events.length > 0) this.opts.sink.append(this.opts.group, this.opts.stream, events);
  }

  /**
   * Truncates the fully shipped file to 0. Synchronous on purpose: the size check and the
   * truncation follow each other within microseconds, so a concurrent append is unlikely to
   * fall in between (and one that lands before the check just postpones the truncation).
   */
  private async truncate(): Promise<void> {
    let truncated = false;
    const fd = openSync(this.opts.file, "r+");
    try {
      const st = fstatSync(fd);
      if (st.ino === this.pos.ino && st.size === this.pos.offset) {
        ftruncateSync(fd, 0);
        truncated = true;
      }
    } finally {
      closeSync(fd);
    }
    if (!truncated) return;
    this.pos = { offset: 0, ino: this.pos.ino };
    await this.save();
  }

  private async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.opts.offsetFile, "utf8");
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.loaded = true;
      return;
    }
    this.loaded = true;
    try {
      const v = JSON.parse(text) as Partial<SavedPosition>;
      if (typeof v.offset !== "number" || !Number.isSafeInteger(v.offset) || v.offset < 0) throw new Error("no valid offset");
      this.pos = { offset: v.offset };
      if (typeof v.ino === "number") this.pos.ino = v.ino;
      if (v.skipping === true) this.pos.skipping = true;
      this.savedJson = text;
    } catch (err) {
      this.log("instance log offset file unreadable; shipping the output file from the start", {
        file: this.opts.offsetFile,
        error: errorText(err),
      });
    }
  }

  /** Saves the position (temp file + rename) when it changed. */
  private async save(): Promise<void> {
    const json = JSON.stringify(this.pos);
    if (json === this.savedJson) return;
    const tmp = `${this.opts.offsetFile}.tmp`;
    await writeFile(tmp, json);
    await rename(tmp, this.opts.offsetFile);
    this.savedJson = json;
  }

  private ensureWatch(ino: number): void {
    if (this.watcher && this.watchedIno === ino) return;
    this.closeWatcher();
    try {
      const w = watch(this.opts.file, { persistent: false }, () => this.kickSoon());
      w.on("error", (err) => {
        this.log("fs.watch on instance output failed; polling only", { file: this.opts.file, error: errorText(err) });
        if (this.watcher === w) this.closeWatcher();
      });
      this.watcher = w;
      this.watchedIno = ino;
    } catch (err) {
      // The poll timer still runs; the next cycle tries to watch again.
      if (!this.watchFailureReported) {
        this.log("fs.watch unavailable for instance output; polling", { file: this.opts.file, error: errorText(err) });
      }
      this.watchFailureReported = true;
    }
  }

  private closeWatcher(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.watchedIno = undefined;
  }
}

/** The first `max` bytes of a UTF-8 line, never splitting a character. */
function capUtf8(line: Buffer, max: number): Buffer {
  if (line.length <= max) return line;
  let end = max;
  // Back up over continuation bytes (10xxxxxx) so the cut falls before a character's first byte.
  while (end > 0 && ((line[end] ?? 0) & 0xc0) === 0x80) end--;
  return line.subarray(0, end);
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
