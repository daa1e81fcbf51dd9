import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { randomBytes, randomInt } from "node:crypto";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import { parseAuthorization, parseAuthorizationFully, type ParsedAuthorization } from "./authorization.js";

type Outcome = { parsed: ParsedAuthorization } | { error: { code: string; message: string } };

function outcome(parse: () => ParsedAuthorization): Outcome {
  try {
    return { parsed: parse() };
  } catch (err) {
    assert.ok(err instanceof AppRunnerError, `expected an AppRunnerError, got ${String(err)}`);
    return { error: { code: err.code, message: err.message } };
  }
}

/**
 * parseAuthorization answers (parts or refusal) exactly as the full parse does, the first time
 * a header's text is seen and every time after, with and without a date header.
 */
function assertSameAsFull(header: string): void {
  for (const hasDate of [true, false]) {
    const full = outcome(() => parseAuthorizationFully(header, hasDate));
    for (let i = 0; i < 3; i++) assert.deepEqual(outcome(() => parseAuthorization(header, hasDate)), full, `${JSON.stringify(header)}, hasDate ${hasDate}`);
  }
}

const hex = (): string => randomBytes(32).toString("hex");
const SIGNED = "amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-date;x-amz-target;x-amz-user-agent";
const sdk = (signature = hex(), id = "AKIAOPENRUNNERTEST01", date = "20260115", signed = SIGNED): string =>
  `AWS4-HMAC-SHA256 Credential=${id}/${date}/us-east-1/apprunner/aws4_request, SignedHeaders=${signed}, Signature=${signature}`;

/** Headers the shortcut must not answer from what it remembers: each differs from the SDKs' form somewhere. */
const odd = (): string[] => [
  sdk().replace("AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA256  "),
  ` ${sdk()}`,
  `${sdk()} `,
  `${sdk()}\t`,
  `${sdk()},`,
  `${sdk()}, Signature=${hex()}`,
  `${sdk()}, Credential=AKIAOTHER/20260115/us-east-1/apprunner/aws4_request`,
  sdk(hex().toUpperCase()),
  sdk(hex().slice(1)),
  sdk(`${hex()}0`),
  sdk(`${hex().slice(0, 31)},${hex().slice(0, 32)}`),
  sdk(`${hex().slice(0, 32)} ${hex().slice(0, 31)}`),
  sdk(` ${hex().slice(0, 63)}`),
  sdk(`${hex().slice(0, 63)} `),
  sdk(`${hex().slice(0, 63)}\u00a0`),
  sdk(`\u2028${hex().slice(0, 63)}`),
  sdk(`${hex().slice(0, 63)}\u0161`),
  sdk(`${hex().slice(0, 62)}==`),
  sdk(""),
  sdk(hex(), "AKIAOPENRUNNERTEST01", "20260115", "Host;X-Amz-Date"),
  sdk(hex(), "AKIAOPENRUNNERTEST01", "20260115", "host; x-amz-date"),
  sdk(hex(), "AKIAOPENRUNNERTEST01", "20260115", "host;;x-amz-date"),
  sdk(hex(), "AKIAOPENRUNNERTEST01", "20260115", ""),
  sdk(hex(), "AKIA OPENRUNNER"),
  sdk(hex(), ""),
  sdk(hex(), "AKIAOPENRUNNERTEST01/extra"),
  sdk(hex(), "AKIAOPENRUNNERTEST01", ""),
  sdk().replace("/aws4_request", "/aws4_request/"),
  sdk().replace("/aws4_request", "/aws5_request"),
  sdk().replace("/aws4_request", ""),
  sdk().replace(", SignedHeaders=", ",SignedHeaders="),
  sdk().replace(", Signature=", ",Signature="),
  sdk().replace(", Signature=", ", signature="),
  sdk().replace("Credential=", "Credential ="),
  sdk().replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512"),
  sdk().replace("AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA256\t"),
  sdk().replace("AWS4-HMAC-SHA256 ", ""),
  `SignedHeaders=${SIGNED}, Signature=${hex()}, Credential=AKIAOPENRUNNERTEST01/20260115/us-east-1/apprunner/aws4_request`,
  "AWS4-HMAC-SHA256",
  "AWS4-HMAC-SHA256 Credential=AKIAOPENRUNNERTEST01/",
  "Bearer token",
  "",
];

/** Characters the full parse treats specially, and others, for the fuzzing below. */
const PIECES = [" ", ",", "=", "/", ";", "\t", "\n", "\u00a0", "\u2028", "\u0161", "A", "a", "f", "g", "0", "Signature=", "Credential=", ", SignedHeaders=x"];

function mutate(header: string): string {
  let h = header;
  for (let edits = randomInt(1, 4); edits > 0; edits--) {
    // Half the edits fall in the signature, where a remembered text before it still matches.
    const at = randomInt(2) === 0 ? randomInt(Math.max(0, h.length - 70), h.length + 1) : randomInt(0, h.length + 1);
    const piece = PIECES[randomInt(PIECES.length)] ?? "";
    const kind = randomInt(3);
    h = kind === 0 ? h.slice(0, at) + piece + h.slice(at) : kind === 1 ? h.slice(0, at) + h.slice(at + 1) : h.slice(0, at) + piece + h.slice(at + piece.length);
  }
  return h;
}

describe("parseAuthorization's shortcut for the SDKs' form", () => {
  it("answers SDK headers as the full parse does, the first time and once their text before the signature is remembered", () => {
    for (const id of ["AKIAOPENRUNNERTEST01", "AKIAOPENRUNNERTEST02", "ASIA0123456789ABCDEF"]) {
      for (const date of ["20260115", "20260116"]) {
        for (const signed of [SIGNED, "host;x-amz-date", "content-type;host;x-amz-date;x-amz-security-token;x-amz-target"]) {
          for (let i = 0; i < 5; i++) assertSameAsFull(sdk(hex(), id, date, signed));
        }
      }
    }
  });

  it("reuses the remembered parts: a second signature of the same text shares its frozen signed-header list", () => {
    const first = parseAuthorization(sdk(), true);
    const second = parseAuthorization(sdk(), true);
    const third = parseAuthorization(sdk(), true);
    assert.ok(Object.isFrozen(second.signedHeaders));
    assert.equal(third.signedHeaders, second.signedHeaders);
    assert.deepEqual(second.signedHeaders, first.signedHeaders);
    assert.notEqual(second.signature, third.signature);
  });

  it("answers odd headers (white space, commas, case, lengths, extra or missing parts) as the full parse does, after their SDK-form relatives were remembered", () => {
    for (let round = 0; round < 3; round++) {
      parseAuthorization(sdk(), true);
      for (const header of odd()) assertSameAsFull(header);
    }
  });

  it("answers thousands of randomly edited SDK headers as the full parse does", () => {
    for (let i = 0; i < 5000; i++) {
      const base = sdk(hex(), `AKIAOPENRUNNERTEST0${i % 3}`);
      parseAuthorization(base, true);
      assertSameAsFull(mutate(base));
    }
  });

  it("stays right when more clients and scopes come than it remembers", () => {
    const headers: string[] = [];
    for (let k = 0; k < 300; k++) for (let d = 10; d < 22; d++) headers.push(sdk(hex(), `AKIA${String(k).padStart(16, "0")}`, `202601${d}`));
    for (const header of headers) assertSameAsFull(header);
    for (const header of headers.slice(0, 50)) assertSameAsFull(header);
  });
});
