import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeLogs, LogFrameDecoder, sinceOf, splitStamp, stampAfter } from "./log-frames.js";

const frame = (stream: 1 | 2, text: string): Buffer => {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

describe("LogFrameDecoder", () => {
  it("splits frames into lines per stream", () => {
    assert.deepEqual(decodeLogs(Buffer.concat([frame(1, "a\nb\n"), frame(2, "err\n")])), [
      { stream: "stdout", text: "a" },
      { stream: "stdout", text: "b" },
      { stream: "stderr", text: "err" },
    ]);
  });

  it("joins a line across frames and chunks, keeping streams apart", () => {
    const d = new LogFrameDecoder();
    const all = Buffer.concat([frame(1, "hel"), frame(2, "oops\n"), frame(1, "lo\n")]);
    const out = [];
    // One byte at a time: headers and payloads cut anywhere.
    for (let i = 0; i < all.length; i++) out.push(...d.push(all.subarray(i, i + 1)));
    assert.deepEqual(out, [
      { stream: "stderr", text: "oops" },
      { stream: "stdout", text: "hello" },
    ]);
  });

  it("hands over an unterminated last line at the end", () => {
    assert.deepEqual(decodeLogs(frame(2, "no newline")), [{ stream: "stderr", text: "no newline" }]);
  });

  it("keeps multi-byte characters cut between frames whole", () => {
    const bytes = Buffer.from("é\n");
    const d = new LogFrameDecoder();
    const h = (b: Buffer): Buffer => Buffer.concat([Buffer.from([1, 0, 0, 0, 0, 0, 0, b.length]), b]);
    assert.deepEqual([...d.push(h(bytes.subarray(0, 1))), ...d.push(h(bytes.subarray(1)))], [{ stream: "stdout", text: "é" }]);
  });
});

describe("timestamps", () => {
  it("splits the daemon's stamp from the message", () => {
    assert.deepEqual(splitStamp("2026-12-05T17:23:40.758786302Z fatal: x", 1), { timestamp: Date.parse("2026-12-05T17:23:40.758Z"), stamp: "2026-12-05T17:23:40.758786302Z", message: "fatal: x" });
    assert.deepEqual(splitStamp("no stamp here", 42), { timestamp: 42, stamp: "", message: "no stamp here" });
  });

  it("resumes after a stamp, in nanoseconds", () => {
    assert.equal(sinceOf("2026-12-05T17:23:40.758786302Z"), `${Date.parse("2026-12-05T17:23:40Z") / 1000}.758786302`);
    assert.equal(sinceOf("2026-12-05T17:23:40Z"), `${Date.parse("2026-12-05T17:23:40Z") / 1000}.000000000`);
    assert.equal(sinceOf("garbage"), undefined);
  });

  const order: [string, string, boolean][] = [
    ["2026-12-05T17:23:40.758786303Z", "2026-12-05T17:23:40.758786302Z", true],
    ["2026-12-05T17:23:40.758786302Z", "2026-12-05T17:23:40.758786302Z", false],
    ["2026-12-05T17:23:40.1Z", "2026-12-05T17:23:40.09Z", true],
    ["2026-12-05T17:23:39.999Z", "2026-12-05T17:23:40Z", false],
  ];
  for (const [a, b, want] of order) it(`${a} after ${b}: ${want}`, () => assert.equal(stampAfter(a, b), want));
});
