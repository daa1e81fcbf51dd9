/**
 * RFC 1035 4.2.2 framing on TCP (a 2-byte length before each message), read with a bound: a
 * frame is at most 65535 bytes by construction, and what is held never exceeds one frame plus
 * the chunk that brought it, however a client trickles or floods its bytes.
 */
export class TcpFrameReader {
  private held: Buffer = Buffer.alloc(0);

  /** The whole messages this chunk completes, in order; an empty one (length 0) is returned as is for the caller to refuse. */
  push(chunk: Buffer): Buffer[] {
    this.held = this.held.length === 0 ? chunk : Buffer.concat([this.held, chunk]);
    const frames: Buffer[] = [];
    while (this.held.length >= 2) {
      const length = this.held.readUInt16BE(0);
      if (this.held.length < 2 + length) break;
      frames.push(Buffer.from(this.held.subarray(2, 2 + length)));
      this.held = this.held.subarray(2 + length);
    }
    // Keep only a copy of the unfinished rest, never a view pinning the whole earlier chunk.
    if (this.held.length > 0 && frames.length > 0) this.held = Buffer.from(this.held);
    return frames;
  }

  /** Bytes held for an unfinished message (for tests of the bound). */
  get pending(): number {
    return this.held.length;
  }
}

/** A message with its 2-byte length prefix. */
export function frame(message: Buffer): Buffer {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(message.length, 0);
  return Buffer.concat([prefix, message]);
}
