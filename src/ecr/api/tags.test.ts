import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkTagCount, checkTags } from "./tags.js";

describe("ECR tags", () => {
  const refused: [name: string, tags: { Key?: string; Value?: string }[]][] = [
    ["an empty key", [{ Key: "", Value: "v" }]],
    ["a key of 129 characters", [{ Key: "k".repeat(129), Value: "v" }]],
    ["a value of 257 characters", [{ Key: "k", Value: "v".repeat(257) }]],
    ["a key with a character outside the allowed set", [{ Key: "a*b", Value: "v" }]],
    ["the reserved aws: prefix, any case", [{ Key: "AWS:owner", Value: "v" }]],
    ["a missing value", [{ Key: "k" }]],
    ["the same key twice", [{ Key: "k", Value: "1" }, { Key: "k", Value: "2" }]],
  ];
  for (const [name, tags] of refused) {
    it(`refuses ${name} (InvalidTagParameterException)`, () => {
      assert.throws(() => checkTags(tags), (err: { awsType?: string }) => err.awsType === "InvalidTagParameterException");
    });
  }
  it("accepts letters of any script, digits, spaces, the allowed punctuation and empty values", () => {
    assert.deepEqual(checkTags([{ Key: "équipe web_1.2:3/4=5+6-7@8", Value: "" }]), [{ Key: "équipe web_1.2:3/4=5+6-7@8", Value: "" }]);
  });
  it("counts keys already there and new ones once each: 50 is the limit (TooManyTagsException)", () => {
    const tags = (n: number, from = 0): { Key: string; Value: string }[] => Array.from({ length: n }, (_, i) => ({ Key: `k${i + from}`, Value: "v" }));
    assert.doesNotThrow(() => checkTagCount(tags(40), tags(10, 40)));
    assert.doesNotThrow(() => checkTagCount(tags(50), tags(50)));
    assert.throws(() => checkTagCount(tags(50), tags(1, 50)), (err: { awsType?: string }) => err.awsType === "TooManyTagsException");
  });
});
