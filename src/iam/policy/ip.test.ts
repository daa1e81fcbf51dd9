import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cidrContains, parseCidr, parseIp } from "./ip.js";

const hex = (b: Uint8Array | undefined): string | undefined => (b ? Buffer.from(b).toString("hex") : undefined);

describe("IP addresses and CIDR blocks", () => {
  const addresses: [string, string | undefined][] = [
    ["127.0.0.1", "00000000000000000000ffff7f000001"],
    ["::1", "00000000000000000000000000000001"],
    ["::", "00000000000000000000000000000000"],
    ["2001:db8::8a2e:370:7334", "20010db80000000000008a2e03707334"],
    ["2001:0db8:0000:0000:0000:ff00:0042:8329", "20010db8000000000000ff0000428329"],
    ["::ffff:192.0.2.1", "00000000000000000000ffffc0000201"],
    ["64:ff9b::198.51.100.7", "0064ff9b0000000000000000c6336407"],
    ["256.0.0.1", undefined],
    ["1.2.3", undefined],
    ["1:2:3:4:5:6:7:8:9", undefined],
    ["1::2::3", undefined],
    ["1:2:3:4:5:6:7::8", undefined],
    ["fe80::g", undefined],
  ];
  for (const [text, expected] of addresses) it(`parses ${text}`, () => assert.equal(hex(parseIp(text)), expected));

  it("refuses blocks past the family's width and keeps prefixes of mapped IPv4", () => {
    assert.equal(parseCidr("10.0.0.0/33"), undefined);
    assert.equal(parseCidr("::/129"), undefined);
    assert.equal(parseCidr("10.0.0.0/x"), undefined);
    assert.equal(parseCidr("10.0.0.0/8")?.prefix, 104);
    assert.equal(parseCidr("2001:db8::/32")?.prefix, 32);
  });

  it("masks host bits of the block", () => {
    const block = parseCidr("10.1.2.3/16");
    assert.ok(block);
    assert.equal(cidrContains(block, parseIp("10.1.200.9") as Uint8Array), true);
    assert.equal(cidrContains(block, parseIp("10.2.0.1") as Uint8Array), false);
  });
});
