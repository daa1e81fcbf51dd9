import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { frame, TcpFrameReader } from "./tcp-frames.js";

describe("TCP framing of DNS messages", () => {
  it("returns whole messages only, however the bytes are split", () => {
    const a = Buffer.from("first message");
    const b = Buffer.from("second");
    const stream = Buffer.concat([frame(a), frame(b)]);
    for (let cut = 0; cut <= stream.length; cut++) {
      for (const step of [1, 3, 7, stream.length]) {
        const reader = new TcpFrameReader();
        const got: Buffer[] = [...reader.push(stream.subarray(0, cut))];
        for (let i = cut; i < stream.length; i += step) got.push(...reader.push(stream.subarray(i, i + step)));
        assert.deepEqual(got.map(String), ["first message", "second"], `cut ${cut} step ${step}`);
        assert.equal(reader.pending, 0);
      }
    }
  });

  it("holds at most one unfinished message, whatever a client announces", () => {
    const reader = new TcpFrameReader();
    const announce = Buffer.from([0xff, 0xff]);
    assert.deepEqual(reader.push(announce), []);
    for (let i = 0; i < 100; i++) reader.push(Buffer.alloc(1000));
    // 65535 is the most a length prefix can say; past it the next message begins.
    assert.ok(reader.pending <= 2 + 65535 + 1000, String(reader.pending));
  });

  it("hands an empty message (length 0) to the caller, which refuses it", () => {
    assert.deepEqual(new TcpFrameReader().push(Buffer.from([0, 0])).map((b) => b.length), [0]);
  });
});
