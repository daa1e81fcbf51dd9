import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonicalHeaders, canonicalRequest } from "./canonical.js";

/** SigV4's rule as AWS writes it: trim each value, fold inner runs of whitespace to one space, join repeats with commas. */
const byTheRule = (headers: Map<string, string[]>, signed: string[]): string =>
  signed.map((n) => `${n}:${(headers.get(n) ?? []).map((v) => v.trim().replace(/\s+/g, " ")).join(",")}\n`).join("");

describe("the canonical request", () => {
  it("canonical headers follow the rule for values that are already canonical and for those that are not", () => {
    const headers = new Map<string, string[]>([
      ["host", ["example.amazonaws.com"]],
      ["x-amz-date", ["20150830T123600Z"]],
      ["my-header1", ["  value1 "]],
      ["my-header2", ['"a   b   c"']],
      ["my-header3", ["\tx\ty\t", "second  one", "third"]],
      ["user-agent", ["aws-sdk-js/3.0 ua/2.1 os/linux#6.1 lang/js md/nodejs#20.20.2"]],
      ["empty", [""]],
      ["newline", ["a\n b"]],
    ]);
    const signed = [...headers.keys(), "absent"];
    assert.equal(canonicalHeaders(headers, signed), byTheRule(headers, signed));
    assert.equal(canonicalHeaders(headers, ["my-header3"]), "my-header3:x y,second one,third\n");
  });

  it("the parts joined by newlines, the headers block ending in its own", () => {
    const headers = new Map([["host", ["example.amazonaws.com"]]]);
    assert.equal(
      canonicalRequest({ method: "GET", rawPath: "/", rawQuery: "b=2&a=1", headers, signedHeaders: ["host"], payloadHash: "e3b0" }),
      "GET\n/\na=1&b=2\nhost:example.amazonaws.com\n\nhost\ne3b0",
    );
  });

  it("a frozen signed-header list's kept text is its own; a list that can change is joined each time", () => {
    const headers = new Map([["host", ["h"]], ["x-amz-date", ["d"]], ["x-a", ["1", "2"]]]);
    const request = (signedHeaders: readonly string[]): string => canonicalRequest({ method: "POST", rawPath: "/", rawQuery: "", headers, signedHeaders, payloadHash: "e3b0" });
    const a = Object.freeze(["host", "x-amz-date"]);
    const b = Object.freeze(["host", "x-a", "x-amz-date"]);
    for (let i = 0; i < 3; i++) {
      assert.equal(request(a), "POST\n/\n\nhost:h\nx-amz-date:d\n\nhost;x-amz-date\ne3b0");
      assert.equal(request(b), "POST\n/\n\nhost:h\nx-a:1,2\nx-amz-date:d\n\nhost;x-a;x-amz-date\ne3b0");
    }
    const changing = ["host"];
    assert.equal(request(changing), "POST\n/\n\nhost:h\n\nhost\ne3b0");
    changing.push("x-a");
    assert.equal(request(changing), "POST\n/\n\nhost:h\nx-a:1,2\n\nhost;x-a\ne3b0");
  });
});
