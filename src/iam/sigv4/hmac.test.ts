import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createHmac, randomBytes, randomInt } from "node:crypto";
import { HmacSha256 } from "./hmac.js";
import { signatureMatches, signingKey } from "./canonical.js";

const reference = (key: Buffer, message: string): string => createHmac("sha256", key).update(message).digest("hex");

/** A random string of `length` UTF-16 units: ASCII, Latin-1, other planes and lone surrogates. */
function randomText(length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) {
    const kind = randomInt(4);
    s += String.fromCharCode(kind === 0 ? randomInt(0x20, 0x7f) : kind === 1 ? randomInt(0x80, 0x100) : kind === 2 ? randomInt(0x100, 0xd800) : randomInt(0xd800, 0xe000));
  }
  return s;
}

describe("HmacSha256: HMAC from two hash one-shots", () => {
  it("equals createHmac on random keys of every length around the block and random messages", () => {
    for (let i = 0; i < 2000; i++) {
      const key = randomBytes(randomInt(0, 150));
      const mac = new HmacSha256(key);
      for (const length of [0, 1, randomInt(0, 400), randomInt(300, 345), randomInt(340, 3000)]) {
        const message = i % 2 === 0 ? randomText(length) : randomBytes(length).toString("hex").slice(0, length);
        assert.equal(mac.hex(message), reference(key, message), `key ${key.toString("hex")}, message of ${length}`);
      }
    }
  });

  it("matches() accepts the HMAC's lower-case hex and refuses any other text", () => {
    for (let i = 0; i < 500; i++) {
      const key = randomBytes(randomInt(1, 100));
      const mac = new HmacSha256(key);
      const message = randomText(randomInt(0, 400));
      const right = reference(key, message);
      assert.ok(mac.matches(message, right));
      const at = randomInt(64);
      const flipped = right.slice(0, at) + ((parseInt(right[at] ?? "0", 16) ^ (1 << randomInt(4))).toString(16)) + right.slice(at + 1);
      for (const wrong of [flipped, right.slice(1), `${right}0`, `${right.slice(0, 63)}g`, `${right.slice(0, 63)} `, "", right.toUpperCase(), reference(randomBytes(32), message), right.replace(/[a-f]/, "\u0161"), right.replace(/[0-9]/, "\u0130")]) {
        if (wrong === right) continue;
        assert.equal(mac.matches(message, wrong), false, `${wrong} for ${right}`);
      }
    }
  });

  it("one key's result does not depend on what another key hashed before it", () => {
    const a = new HmacSha256(randomBytes(32));
    const b = new HmacSha256(randomBytes(32));
    const first = a.hex("AWS4-HMAC-SHA256\nmessage");
    b.hex("x".repeat(341));
    b.hex("a much longer message than the first one, to leave bytes behind in the shared buffer");
    assert.ok(!b.matches("a message", "0".repeat(63) + "g"));
    assert.equal(a.hex("AWS4-HMAC-SHA256\nmessage"), first);
    assert.ok(a.matches("AWS4-HMAC-SHA256\nmessage", first));
  });
});

describe("derived signing keys", () => {
  it("are SigV4's four HMACs, and sign as createHmac with them does, for every scope of a secret", () => {
    const secret = randomBytes(30).toString("base64");
    // More scopes than are kept per secret, asked for twice: evicted ones are derived again the same way.
    for (let round = 0; round < 2; round++) {
      for (let day = 10; day < 22; day++) {
        for (const region of ["us-east-1", "eu-west-1"]) {
          const date = `202601${day}`;
          const stepwise = [date, region, "apprunner", "aws4_request"].reduce<Buffer | string>((key, part) => createHmac("sha256", key).update(part).digest(), `AWS4${secret}`);
          assert.deepEqual(signingKey(secret, date, region, "apprunner"), stepwise);
          const toSign = `AWS4-HMAC-SHA256\n${date}T000000Z\n${date}/${region}/apprunner/aws4_request\n${"ab".repeat(32)}`;
          assert.ok(signatureMatches(secret, date, region, "apprunner", toSign, reference(Buffer.from(stepwise), toSign)));
          assert.ok(!signatureMatches(secret, date, region, "apprunner", toSign, reference(Buffer.from(stepwise), `${toSign} `)));
        }
      }
    }
  });
});
