import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { iamModel, type ServiceModel } from "../../model/model.js";
import { decodeQueryInput } from "./form-input.js";

const form = (s: string): URLSearchParams => new URLSearchParams(s);

/** A model with what IAM's lacks (maps, timestamps, nested structures in lists), as botocore serializes them. */
const SYNTHETIC: ServiceModel = {
  metadata: { apiVersion: "2020-01-01", targetPrefix: "", signingName: "x", jsonVersion: "1.0", xmlNamespace: "urn:x" },
  operations: { Op: { name: "Op", input: { shape: "In" } } },
  shapes: {
    In: { type: "structure", members: { When: { shape: "Ts" }, Attrs: { shape: "Attrs" }, Items: { shape: "Items" }, Ratio: { shape: "D" } } },
    Ts: { type: "timestamp" },
    D: { type: "double" },
    S: { type: "string" },
    Attrs: { type: "map", key: { shape: "S" }, value: { shape: "S" } },
    Items: { type: "list", member: { shape: "Item" } },
    Item: { type: "structure", members: { Name: { shape: "S" }, Inner: { shape: "Inner" } } },
    Inner: { type: "structure", members: { Flag: { shape: "B" } } },
    B: { type: "boolean" },
  },
};

describe("awsQuery form parameters -> the JSON form, by the operation's input shape", () => {
  const cases: [label: string, model: ServiceModel, shape: string, body: string, expected: Record<string, unknown>][] = [
    ["strings by member name", iamModel, "GetUserRequest", "Action=GetUser&Version=2010-05-08&UserName=alice", { UserName: "alice" }],
    ["no members at all", iamModel, "GetUserRequest", "Action=GetUser&Version=2010-05-08", {}],
    [
      "a list of structures (Tags.member.N.Key/Value)",
      iamModel,
      "CreateUserRequest",
      "UserName=a&Tags.member.1.Key=team&Tags.member.1.Value=ci&Tags.member.2.Key=env&Tags.member.2.Value=",
      { UserName: "a", Tags: [{ Key: "team", Value: "ci" }, { Key: "env", Value: "" }] },
    ],
    ["an empty list is the bare key", iamModel, "CreateUserRequest", "UserName=a&Tags=", { UserName: "a", Tags: [] }],
    ["a list of strings", iamModel, "UntagUserRequest", "UserName=a&TagKeys.member.1=x&TagKeys.member.2=y", { UserName: "a", TagKeys: ["x", "y"] }],
    ["a list stops at the first missing index", iamModel, "UntagUserRequest", "UserName=a&TagKeys.member.1=x&TagKeys.member.3=z", { UserName: "a", TagKeys: ["x"] }],
    ["booleans and integers typed", iamModel, "ListPoliciesRequest", "Scope=Local&OnlyAttached=true&MaxItems=5", { Scope: "Local", OnlyAttached: true, MaxItems: 5 }],
    ["keys the model does not have are ignored", iamModel, "GetUserRequest", "UserName=a&Bogus=1&UserName.member.1=x", { UserName: "a" }],
    ["the first of repeated keys wins", iamModel, "GetUserRequest", "UserName=a&UserName=b", { UserName: "a" }],
    ["percent-encoded policy documents arrive as text", iamModel, "PutUserPolicyRequest", "UserName=a&PolicyName=p&PolicyDocument=%7B%22a%22%3A1%7D", { UserName: "a", PolicyName: "p", PolicyDocument: '{"a":1}' }],
    ["ISO timestamps to epoch seconds", SYNTHETIC, "In", "When=2026-12-05T10%3A00%3A00Z", { When: Date.UTC(2026, 11, 5, 10) / 1000 }],
    ["epoch timestamps", SYNTHETIC, "In", "When=1700000000.5", { When: 1700000000.5 }],
    ["doubles", SYNTHETIC, "In", "Ratio=0.25", { Ratio: 0.25 }],
    ["maps as entry.N.key/value", SYNTHETIC, "In", "Attrs.entry.1.key=a&Attrs.entry.1.value=1&Attrs.entry.2.key=b&Attrs.entry.2.value=2", { Attrs: { a: "1", b: "2" } }],
    [
      "structures nested in list members",
      SYNTHETIC,
      "In",
      "Items.member.1.Name=x&Items.member.1.Inner.Flag=false&Items.member.2.Name=y",
      { Items: [{ Name: "x", Inner: { Flag: false } }, { Name: "y" }] },
    ],
  ];
  for (const [label, model, shape, body, expected] of cases) {
    it(label, () => assert.deepEqual(decodeQueryInput(model, shape, form(body)), expected));
  }

  const refused: [label: string, model: ServiceModel, shape: string, body: string, message: RegExp][] = [
    ["a boolean that is neither true nor false", iamModel, "ListPoliciesRequest", "OnlyAttached=yes", /'yes' at 'onlyAttached' is not a boolean/],
    ["an integer with letters", iamModel, "ListPoliciesRequest", "MaxItems=5x", /'5x' at 'maxItems' is not an integer/],
    ["a timestamp that is not one", SYNTHETIC, "In", "When=yesterday", /at 'when' is not a timestamp/],
    ["a double that is not a number", SYNTHETIC, "In", "Ratio=abc", /at 'ratio' is not a number/],
  ];
  for (const [label, model, shape, body, message] of refused) {
    it(`refuses ${label} (SerializationException -> MalformedQueryString)`, () => {
      assert.throws(() => decodeQueryInput(model, shape, form(body)), (err: Error & { code?: string }) => err.code === "Serialization" && message.test(err.message));
    });
  }

  it("an operation without input decodes to {}", () => assert.deepEqual(decodeQueryInput(iamModel, undefined, form("Action=X")), {}));

  it("a list of 10,000 members costs one pass over the keys, not one per member", () => {
    const body = Array.from({ length: 10_000 }, (_, i) => `TagKeys.member.${i + 1}=k${i}`).join("&");
    const input = decodeQueryInput(iamModel, "UntagUserRequest", form(`UserName=a&${body}`));
    assert.equal((input.TagKeys as string[]).length, 10_000);
  });
});
