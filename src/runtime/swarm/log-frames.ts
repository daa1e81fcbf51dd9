/**
 * Pure: the Engine API's log stream of a container without a TTY. Each frame is an 8-byte
 * header (stream: 1 stdout, 2 stderr; three zero bytes; payload size, big-endian uint32) and its
 * payload; a line may span frames and a frame may end mid-line or hold several lines.
 */

export interface LogLine {
  stream: "stdout" | "stderr";
  /** The line without its "\n"; with `timestamps=1`, still prefixed by the RFC 3339 nanosecond stamp. */
  text: string;
}

const HEADER_BYTES = 8;

/** Feeds chunks as they arrive; returns the lines they complete. */
export class LogFrameDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private readonly partial: Record<LogLine["stream"], Buffer> = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };

  push(chunk: Buffer): LogLine[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: LogLine[] = [];
    while (this.pending.length >= HEADER_BYTES) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < HEADER_BYTES + size) break;
      const stream = this.pending[0] === 2 ? "stderr" : "stdout";
      const payload = this.pending.subarray(HEADER_BYTES, HEADER_BYTES + size);
      this.pending = this.pending.subarray(HEADER_BYTES + size);
      out.push(...this.lines(stream, payload));
    }
    return out;
  }

  /** The unterminated tails, once the stream has ended. */
  end(): LogLine[] {
    const out: LogLine[] = [];
    for (const stream of ["stdout", "stderr"] as const) {
      if (this.partial[stream].length > 0) out.push({ stream, text: this.partial[stream].toString("utf8") });
      this.partial[stream] = Buffer.alloc(0);
    }
    return out;
  }

  private lines(stream: LogLine["stream"], payload: Buffer): LogLine[] {
    let data = this.partial[stream].length > 0 ? Buffer.concat([this.partial[stream], payload]) : payload;
    const out: LogLine[] = [];
    for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a)) {
      out.push({ stream, text: data.subarray(0, nl).toString("utf8") });
      data = data.subarray(nl + 1);
    }
    this.partial[stream] = Buffer.from(data);
    return out;
  }
}

/** Decodes a whole (non-follow) log answer. */
export function decodeLogs(body: Buffer): LogLine[] {
  const d = new LogFrameDecoder();
  return [...d.push(body), ...d.end()];
}

export interface StampedLine {
  /** Milliseconds since the epoch. */
  timestamp: number;
  /** The stamp as the daemon wrote it (nanoseconds): orders lines and resumes a stream (`since`). */
  stamp: string;
  message: string;
}

/** Splits `2026-12-05T17:23:40.758786302Z message`; a line without a stamp keeps `fallbackMs`. */
export function splitStamp(text: string, fallbackMs: number): StampedLine {
  const space = text.indexOf(" ");
  const stamp = space > 0 ? text.slice(0, space) : "";
  const ms = stamp ? Date.parse(stamp) : NaN;
  if (Number.isNaN(ms)) return { timestamp: fallbackMs, stamp: "", message: text };
  return { timestamp: ms, stamp, message: text.slice(space + 1) };
}

/**
 * `since` for resuming after `stamp` (unix seconds with nanoseconds, as the API takes it):
 * the daemon sends lines at or after it, so the caller drops those not after its last one.
 */
export function sinceOf(stamp: string): string | undefined {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(stamp);
  if (!m) return undefined;
  const seconds = Math.floor(Date.parse(`${m[1]}Z`) / 1000);
  return `${seconds}.${(m[2] ?? "").padEnd(9, "0").slice(0, 9)}`;
}

/** Whether stamp `a` is later than `b` (RFC 3339 stamps of one daemon, compared by their nanoseconds). */
export function stampAfter(a: string, b: string): boolean {
  const sa = sinceOf(a);
  const sb = sinceOf(b);
  if (!sa || !sb) return true;
  const [as, an] = sa.split(".");
  const [bs, bn] = sb.split(".");
  return Number(as) !== Number(bs) ? Number(as) > Number(bs) : (an ?? "") > (bn ?? "");
}
