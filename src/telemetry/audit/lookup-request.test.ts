import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import { encodeLookupToken, parseLookupRequest } from "./lookup-request.js";

const attr = (AttributeKey: unknown, AttributeValue: unknown): Record<string, unknown> => ({
  LookupAttributes: [{ AttributeKey, AttributeValue }],
});

describe("LookupEvents input", () => {
  it("defaults: no attribute, no range, pages of 50", () => {
    const r = parseLookupRequest({});
    assert.equal(r.attribute, undefined);
    assert.equal(r.start, undefined);
    assert.equal(r.end, undefined);
    assert.equal(r.maxResults, 50);
    assert.equal(r.insights, false);
  });

  it("takes epoch seconds (with fractions) and ISO strings", () => {
    const r = parseLookupRequest({ StartTime: 1767225600.5, EndTime: "2026-01-02T00:00:00Z" });
    assert.equal(r.start, Date.UTC(2026, 0, 1) + 500);
    assert.equal(r.end, Date.UTC(2026, 0, 2));
  });

  it("ReadOnly values become the stored 1 and 0", () => {
    assert.deepEqual(parseLookupRequest(attr("ReadOnly", "true")).attribute, { key: "ReadOnly", value: 1 });
    assert.deepEqual(parseLookupRequest(attr("ReadOnly", "False")).attribute, { key: "ReadOnly", value: 0 });
  });

  const errors: [label: string, input: Record<string, unknown>, type: string][] = [
    [
      "two attributes",
      { LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "a" }, { AttributeKey: "Username", AttributeValue: "b" }] },
      "InvalidLookupAttributesException",
    ],
    ["an unknown key", attr("Region", "us-east-1"), "InvalidLookupAttributesException"],
    ["an empty value", attr("EventName", ""), "InvalidLookupAttributesException"],
    ["a value of 2001 characters", attr("EventName", "x".repeat(2001)), "InvalidLookupAttributesException"],
    ["ReadOnly neither true nor false", attr("ReadOnly", "yes"), "InvalidLookupAttributesException"],
    ["start after end", { StartTime: 200, EndTime: 100 }, "InvalidTimeRangeException"],
    ["MaxResults 0", { MaxResults: 0 }, "InvalidMaxResultsException"],
    ["MaxResults 51", { MaxResults: 51 }, "InvalidMaxResultsException"],
    ["MaxResults not an integer", { MaxResults: 2.5 }, "SerializationException"],
    ["StartTime not a time", { StartTime: "yesterday" }, "SerializationException"],
    ["LookupAttributes not a list", { LookupAttributes: { AttributeKey: "EventName" } }, "SerializationException"],
    ["a token we did not make", { NextToken: "bm90IGEgdG9rZW4" }, "InvalidNextTokenException"],
    [
      "a token for other parameters",
      { ...attr("EventName", "B"), NextToken: encodeLookupToken(parseLookupRequest(attr("EventName", "A")).fingerprint, 1000, 1) },
      "InvalidNextTokenException",
    ],
    ["an unknown event category", { EventCategory: "data" }, "InvalidEventCategoryException"],
  ];
  for (const [label, input, type] of errors) {
    it(`${label} → ${type}`, () =>
      assert.throws(() => parseLookupRequest(input), (e: unknown) => e instanceof AppRunnerError && e.awsType === type));
  }

  it("a token made for the same parameters is the cursor it names", () => {
    const first = parseLookupRequest({ ...attr("EventName", "A"), StartTime: 10 });
    const next = parseLookupRequest({ ...attr("EventName", "A"), StartTime: 10, NextToken: encodeLookupToken(first.fingerprint, 5000, 7) });
    assert.deepEqual(next.cursor, { time: 5000, seq: 7 });
  });
});
