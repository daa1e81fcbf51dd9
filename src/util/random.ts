import { randomBytes, randomUUID } from "node:crypto";

/** Randomness is injected so ids are predictable in tests. */
export interface Random {
  bytes(n: number): Buffer;
  /** A v4 UUID; optional so that test sources only need bytes(). */
  uuid?(): string;
}

/** randomUUID draws from a cached entropy pool: far cheaper per request id than randomBytes(16). */
export const cryptoRandom: Random = { bytes: (n) => randomBytes(n), uuid: () => randomUUID() };

/** Deterministic randomness for tests (a counter-based stream). */
export class SeededRandom implements Random {
  private counter = 0;
  constructor(private readonly seed: number = 1) {}
  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) {
      this.counter++;
      out[i] = (Math.imul(this.seed ^ this.counter, 2654435761) >>> 24) & 0xff;
    }
    return out;
  }
}

export const hex = (r: Random, bytes: number): string => r.bytes(bytes).toString("hex");

/** RFC 4122 version-4 UUID from injected randomness (App Runner operation ids are UUIDs). */
export function uuid(r: Random): string {
  if (r.uuid) return r.uuid();
  const b = r.bytes(16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * A version-4 UUID whose first 48 bits are `ms` (big-endian), the other 74 random: ids made
 * later sort later, so an index of them grows at its end instead of at a random page. The
 * audit trail's event ids are these: each random id dirtied its own leaf page of the
 * `event_id` index, more pages per batch than the events themselves (docs/performance.md).
 * The time it shows is the event's own eventTime, to the millisecond.
 */
export function timeOrderedUuid(r: Random, ms: number): string {
  const u = uuid(r);
  const t = Math.max(0, Math.min(Math.floor(ms), 0xffffffffffff));
  // Calls come many to a millisecond: its hex is made once.
  if (t !== lastPrefix.ms) {
    const h = t.toString(16).padStart(12, "0");
    lastPrefix = { ms: t, text: `${h.slice(0, 8)}-${h.slice(8)}` };
  }
  return `${lastPrefix.text}${u.slice(13)}`;
}
let lastPrefix = { ms: Number.NaN, text: "" };
