import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { jsonDepthExceeds, MAX_JSON_DEPTH, parseJsonBody } from "./json-body.js";

const nested = (levels: number, open = "{\"a\":", close = "}"): string => `${open.repeat(levels)}1${close.repeat(levels)}`;

describe("jsonDepthExceeds", () => {
  const cases: [name: string, text: string, limit: number, exceeds: boolean][] = [
    ["a flat object", '{"a":1,"b":"x"}', 1, false],
    ["two levels at a limit of one", '{"a":{"b":1}}', 1, true],
    ["two levels at a limit of two", '{"a":{"b":1}}', 2, false],
    ["arrays count as levels", "[[[1]]]", 2, true],
    ["siblings do not add up", '{"a":{},"b":{},"c":[]}', 2, false],
    ["brackets inside strings are text", '{"a":"{{{{[[[["}', 1, false],
    ["an escaped quote does not end the string", '{"a":"\\"{{{{"}', 1, false],
    ["an escaped backslash before the closing quote", '{"a":"\\\\","b":{"c":1}}', 2, false],
    ["100,000 levels of an unknown member", nested(100_000), MAX_JSON_DEPTH, true],
    ["exactly the limit", nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH, false],
  ];
  for (const [name, text, limit, exceeds] of cases) {
    it(name, () => assert.equal(jsonDepthExceeds(Buffer.from(text), limit), exceeds));
  }
});

describe("parseJsonBody", () => {
  it("refuses nesting past MAX_JSON_DEPTH as a SerializationException, before JSON.parse walks it", () => {
    assert.throws(() => parseJsonBody(Buffer.from(`{"logGroupName":"g","x":${nested(100_000)}}`)), {
      code: "Serialization",
      message: `The request body is nested more than ${MAX_JSON_DEPTH} levels deep.`,
    });
  });
  it("reads an object at the limit", () => {
    assert.equal(typeof parseJsonBody(Buffer.from(nested(MAX_JSON_DEPTH))).a, "object");
  });
  it("reads an empty body as {}", () => assert.deepEqual(parseJsonBody(Buffer.from("  ")), {}));
  it("says where a body is not JSON, never what it read there (the message reaches the audit trail)", () => {
    for (const body of ['{"RuntimeEnvironmentVariables":{"DB":hunter2-secret}}', "hunter2-secret", '{"DB":"x"}hunter2-secret']) {
      assert.throws(
        () => parseJsonBody(Buffer.from(body)),
        (err: unknown) => err instanceof Error && /^The request body is not valid JSON/.test(err.message) && !err.message.includes("hunter2"),
        body,
      );
    }
  });
  it("refuses what is not an object", () => assert.throws(() => parseJsonBody(Buffer.from("[1]")), { code: "Serialization" }));
});
