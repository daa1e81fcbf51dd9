import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { randomInt } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { signedHeadOf, signedRequestOf } from "./read-request.js";

/** What signedHeadOf reads of a request: the raw header list (names as sent), the method and URL. */
const request = (rawHeaders: string[], url = "/", method = "POST"): IncomingMessage => ({ rawHeaders, url, method }) as unknown as IncomingMessage;

/** SigV4's view written plainly: each lower-cased name once, at its first arrival, with all its values in arrival order. */
function byTheRule(raw: string[]): [string, string[]][] {
  const out: [string, string[]][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] ?? "").toLowerCase();
    const entry = out.find(([n]) => n === name);
    if (entry) entry[1].push(raw[i + 1] ?? "");
    else out.push([name, [raw[i + 1] ?? ""]]);
  }
  return out;
}

describe("signedHeadOf: the request's headers as SigV4 sees them", () => {
  it("lower-cases names and keeps first arrival order, every repeat and every value as sent", () => {
    const head = signedHeadOf(
      request(["Host", "example.com", "X-Amz-Date", "20260115T120000Z", "x-custom", " a ", "X-CUSTOM", "b", "Authorization", "AWS4 x", "x-Custom", "", "authorization", "second"], "/a/b?x=1&y=2"),
    );
    assert.deepEqual(
      [...head.headers],
      [
        ["host", ["example.com"]],
        ["x-amz-date", ["20260115T120000Z"]],
        ["x-custom", [" a ", "b", ""]],
        ["authorization", ["AWS4 x", "second"]],
      ],
    );
    assert.equal(head.method, "POST");
    assert.equal(head.rawPath, "/a/b");
    assert.equal(head.rawQuery, "x=1&y=2");
    assert.deepEqual(signedRequestOf(request([], "/?"), Buffer.from("x")), { method: "POST", rawPath: "/", rawQuery: "", headers: new Map(), body: Buffer.from("x") });
  });

  it("agrees with the rule on random header lists full of repeats", () => {
    const names = ["Host", "host", "HOST", "X-Amz-Date", "x-amz-date", "Content-Type", "authorization", "Authorization", "X-A", "x-a"];
    for (let i = 0; i < 2000; i++) {
      const raw: string[] = [];
      for (let n = randomInt(0, 12); n > 0; n--) raw.push(names[randomInt(names.length)] ?? "", String(randomInt(1000)));
      assert.deepEqual([...signedHeadOf(request(raw)).headers], byTheRule(raw));
    }
  });
});
