import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeFilters, parseStringFilters, type FilterSubject, type StringFilterInput } from "./filters.js";

const subject = (name: string, over: Partial<FilterSubject> = {}): FilterSubject => ({
  name,
  type: "String",
  keyId: undefined,
  tier: "Standard",
  dataType: "text",
  labels: new Set(),
  tags: () => ({}),
  ...over,
});

const PARAMETERS = [
  subject("single"),
  subject("/app/a"),
  subject("/app/b", { type: "SecureString", keyId: "alias/aws/ssm", labels: new Set(["prod"]), tags: () => ({ team: "web" }) }),
  subject("/app/deep/c", { type: "StringList", tier: "Advanced" }),
  subject("/other/x", { type: "SecureString", keyId: "key-1" }),
];

const names = (filters: StringFilterInput[], use: "describe" | "byPath" = "describe"): string[] => {
  const predicates = parseStringFilters(filters, use);
  return PARAMETERS.filter((p) => predicates.every((f) => f(p))).map((p) => p.name);
};

describe("ParameterFilters", () => {
  const cases: [title: string, filters: StringFilterInput[], want: string[], use?: "describe" | "byPath"][] = [
    ["Name Equals (a single name with or without its slash)", [{ Key: "Name", Values: ["/single", "/app/a"] }], ["single", "/app/a"]],
    ["Name BeginsWith", [{ Key: "Name", Option: "BeginsWith", Values: ["/app/"] }], ["/app/a", "/app/b", "/app/deep/c"]],
    ["Name Contains", [{ Key: "Name", Option: "Contains", Values: ["deep"] }], ["/app/deep/c"]],
    ["Type", [{ Key: "Type", Values: ["SecureString"] }], ["/app/b", "/other/x"]],
    ["KeyId", [{ Key: "KeyId", Values: ["key-1"] }], ["/other/x"]],
    ["Tier", [{ Key: "Tier", Values: ["Advanced"] }], ["/app/deep/c"]],
    ["Path one level (the default)", [{ Key: "Path", Values: ["/app"] }], ["/app/a", "/app/b"]],
    ["Path Recursive", [{ Key: "Path", Option: "Recursive", Values: ["/app"] }], ["/app/a", "/app/b", "/app/deep/c"]],
    ["Path / one level: the single names", [{ Key: "Path", Values: ["/"] }], ["single"]],
    ["tag:team with a value", [{ Key: "tag:team", Values: ["web"] }], ["/app/b"]],
    ["tag:team without values: has the tag", [{ Key: "tag:team" }], ["/app/b"]],
    ["filters together", [{ Key: "Path", Option: "Recursive", Values: ["/"] }, { Key: "Type", Values: ["SecureString"] }], ["/app/b", "/other/x"]],
    ["Label (by path)", [{ Key: "Label", Values: ["prod"] }], ["/app/b"], "byPath"],
    ["Type BeginsWith (by path)", [{ Key: "Type", Option: "BeginsWith", Values: ["Secure"] }], ["/app/b", "/other/x"], "byPath"],
  ];
  for (const [title, filters, want, use] of cases) it(title, () => assert.deepEqual(names(filters, use), want));

  const refused: [title: string, filters: StringFilterInput[], code: string, use?: "describe" | "byPath"][] = [
    ["an unknown key", [{ Key: "Color", Values: ["x"] }], "SsmInvalidFilterKey"],
    ["Label in DescribeParameters", [{ Key: "Label", Values: ["x"] }], "SsmInvalidFilterKey"],
    ["Name in GetParametersByPath", [{ Key: "Name", Values: ["x"] }], "SsmInvalidFilterKey", "byPath"],
    ["Path in GetParametersByPath", [{ Key: "Path", Values: ["/x"] }], "SsmInvalidFilterKey", "byPath"],
    ["a key twice", [{ Key: "Type", Values: ["String"] }, { Key: "Type", Values: ["SecureString"] }], "SsmInvalidFilterKey"],
    ["Contains on Type", [{ Key: "Type", Option: "Contains", Values: ["String"] }], "SsmInvalidFilterOption"],
    ["BeginsWith on Label", [{ Key: "Label", Option: "BeginsWith", Values: ["p"] }], "SsmInvalidFilterOption", "byPath"],
    ["Recursive on Name", [{ Key: "Name", Option: "Recursive", Values: ["p"] }], "SsmInvalidFilterOption"],
    ["a type that is not one", [{ Key: "Type", Values: ["Secret"] }], "SsmInvalidFilterValue"],
    ["a path without its slash", [{ Key: "Path", Values: ["app"] }], "SsmInvalidFilterValue"],
    ["no values", [{ Key: "Type" }], "SsmInvalidFilterValue"],
  ];
  for (const [title, filters, code, use] of refused) it(`refused: ${title}`, () => assert.throws(() => parseStringFilters(filters, use ?? "describe"), { code }));
});

describe("DescribeParameters' older Filters", () => {
  it("Name begins with, Type and KeyId equal; not with ParameterFilters", () => {
    const predicates = describeFilters({ Filters: [{ Key: "Name", Values: ["/app/"] }, { Key: "Type", Values: ["String"] }] });
    assert.deepEqual(PARAMETERS.filter((p) => predicates.every((f) => f(p))).map((p) => p.name), ["/app/a"]);
    assert.throws(() => describeFilters({ Filters: [], ParameterFilters: [] }), { code: "SsmValidation", message: /either Filters or ParameterFilters/ });
    assert.throws(() => describeFilters({ Filters: [{ Key: "Path", Values: ["/"] }] }), { code: "SsmInvalidFilterKey" });
  });
});
