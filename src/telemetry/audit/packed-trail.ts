/**
 * Recorded events as they wait for the writer thread: every row packed, as it is recorded, into
 * one growing byte buffer outside the JS heap. Held as objects (an entry, its strings, its
 * resources, even a Buffer for the text), the ~1,300 events that wait 200 ms at 6,500 calls/s
 * survived two young-generation scavenges and were promoted, ~0.5 MB a scavenge, and every
 * scavenge pauses the requests in flight (docs/performance.md, "December (4)"). Packed, nothing
 * of a waiting event is a JS object, and a batch reaches the thread as one ArrayBuffer.
 *
 * A row: u32 length of what follows, then eventId, eventTime (f64), eventName, eventSource,
 * readOnly (u8), username, accessKeyId, the resources column (resourcesColumn), the event's text,
 * and the resources' count (u16) and type and name pairs. Strings are a u32 byte length and UTF-8; NONE (no value)
 * stands for a null username or key.
 */
import type { TrailEntry } from "./cloudtrail-event.js";
import type { RecordQueue } from "./recorder.js";
import { resourcesColumn, type TrailRow } from "./trail-store.js";

/** Recorded events as one batch: their rows back to back in `bytes`, which owns its ArrayBuffer. */
export interface PackedBatch {
  bytes: Uint8Array;
  count: number;
}

const NONE = 0xffffffff;
const INITIAL_BYTES = 64 * 1024;

/** At most how many bytes a string takes packed: UTF-8 is at most 3 bytes per UTF-16 unit. */
const room = (s: string | undefined): number => 4 + (s === undefined ? 0 : 3 * s.length);

export class PackedTrailQueue implements RecordQueue<TrailEntry, PackedBatch> {
  private buf = Buffer.allocUnsafeSlow(INITIAL_BYTES);
  /** Where the oldest waiting row starts, and where the next one goes. */
  private head = 0;
  private end = 0;
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(e: TrailEntry): void {
    const resources = resourcesColumn(e.resources);
    let most = 4 + room(e.eventId) + 8 + room(e.eventName) + room(e.eventSource) + 1 + room(e.username) + room(e.accessKeyId);
    most += room(resources) + room(e.event) + 2;
    for (const r of e.resources) most += room(r.ResourceType) + room(r.ResourceName);
    this.ensure(most);
    const start = this.end;
    let at = start + 4;
    at = this.putString(at, e.eventId);
    at = this.buf.writeDoubleLE(e.eventTime, at);
    at = this.putString(at, e.eventName);
    at = this.putString(at, e.eventSource);
    at = this.buf.writeUInt8(e.readOnly ? 1 : 0, at);
    at = this.putString(at, e.username);
    at = this.putString(at, e.accessKeyId);
    at = this.putString(at, resources);
    at = this.putString(at, e.event);
    at = this.buf.writeUInt16LE(e.resources.length, at);
    for (const r of e.resources) {
      at = this.putString(at, r.ResourceType);
      at = this.putString(at, r.ResourceName);
    }
    this.buf.writeUInt32LE(at - start - 4, start);
    this.end = at;
    this.count++;
  }

  take(): PackedBatch {
    const batch = { bytes: this.copy(this.head, this.end), count: this.count };
    this.clear();
    return batch;
  }

  putBack(batch: PackedBatch): void {
    const waiting = this.copy(this.head, this.end);
    const size = batch.bytes.length + waiting.length;
    if (size > this.buf.length) this.buf = Buffer.allocUnsafeSlow(grown(this.buf.length, size));
    this.buf.set(batch.bytes, 0);
    this.buf.set(waiting, batch.bytes.length);
    this.head = 0;
    this.end = size;
    this.count += batch.count;
  }

  dropOldest(n: number): void {
    for (let i = 0; i < n && this.count > 0; i++) {
      this.head += 4 + this.buf.readUInt32LE(this.head);
      this.count--;
    }
    if (this.count === 0) this.clear();
  }

  sizeOf(batch: PackedBatch): number {
    return batch.count;
  }

  clear(): void {
    this.head = 0;
    this.end = 0;
    this.count = 0;
  }

  private copy(from: number, to: number): Uint8Array {
    return new Uint8Array(this.buf.buffer.slice(this.buf.byteOffset + from, this.buf.byteOffset + to));
  }

  /** Room for `bytes` more after `end`: the waiting rows moved to the front, in a larger buffer if need be. */
  private ensure(bytes: number): void {
    if (this.end + bytes <= this.buf.length) return;
    const used = this.end - this.head;
    const next = used + bytes > this.buf.length ? Buffer.allocUnsafeSlow(grown(this.buf.length, used + bytes)) : this.buf;
    this.buf.copy(next, 0, this.head, this.end);
    this.buf = next;
    this.head = 0;
    this.end = used;
  }

  private putString(at: number, s: string | undefined): number {
    if (s === undefined) return this.buf.writeUInt32LE(NONE, at);
    const n = this.buf.write(s, at + 4, "utf8");
    this.buf.writeUInt32LE(n, at);
    return at + 4 + n;
  }
}

const grown = (size: number, atLeast: number): number => {
  let next = size * 2;
  while (next < atLeast) next *= 2;
  return next;
};

/** The rows of a packed batch, as the trail store appends them (on the writer thread). */
export function unpackRows(batch: PackedBatch): TrailRow[] {
  const b = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
  const rows: TrailRow[] = [];
  let at = 0;
  const text = (): string => {
    const n = b.readUInt32LE(at);
    const s = b.toString("utf8", at + 4, at + 4 + n);
    at += 4 + n;
    return s;
  };
  const maybe = (): string | null => {
    if (b.readUInt32LE(at) !== NONE) return text();
    at += 4;
    return null;
  };
  for (let i = 0; i < batch.count; i++) {
    at += 4;
    const eventId = text();
    const eventTime = b.readDoubleLE(at);
    at += 8;
    const eventName = text();
    const eventSource = text();
    const readOnly = b.readUInt8(at) === 1 ? 1 : 0;
    at += 1;
    const username = maybe();
    const accessKeyId = maybe();
    const resources = text();
    const event = text();
    const row: TrailRow = [eventId, eventTime, eventName, eventSource, readOnly, username, accessKeyId, resources, event];
    const pairs = b.readUInt16LE(at);
    at += 2;
    for (let p = 0; p < pairs; p++) row.push(text(), text());
    rows.push(row);
  }
  return rows;
}

/** A batch of these entries, as the queue would hand it over. */
export function packedBatchOf(entries: readonly TrailEntry[]): PackedBatch {
  const q = new PackedTrailQueue();
  for (const e of entries) q.push(e);
  return q.take();
}
