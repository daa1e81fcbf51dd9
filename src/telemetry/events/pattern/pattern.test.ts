import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compilePattern } from "./pattern.js";

/** An event with one field of every kind the operators care about. */
const EVENT = {
  version: "0",
  id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "AppRunner Service Operation Status Change",
  source: "aws.apprunner",
  account: "111122223333",
  time: "2021-04-29T18:43:48Z",
  region: "us-east-2",
  resources: ["arn:aws:apprunner:us-east-2:111122223333:service/my-app/8fe1e10304f84fd2b0df550fe98a71fa", "arn:other"],
  detail: {
    Status: "UpdateServiceCompletedSuccessfully",
    ServiceName: "my-app",
    Severity: "INFO",
    count: 5,
    limit: 301.8,
    zero: 0,
    negative: -3,
    numericString: "5",
    flag: true,
    off: false,
    nothing: null,
    empty: "",
    emptyList: [],
    file: "images/photo.PNG",
    path: "/usr/lib/node",
    star: "a*b",
    ip: "10.0.0.33",
    ip6: "2001:db8::1",
    tags: ["blue", "green"],
    scores: [1, 7, 12],
    nested: { deep: { value: "x" } },
    people: [
      { first: "John", last: "Doe" },
      { first: "Anna", last: "Smith" },
    ],
  },
};

type Row = [pattern: unknown, matches: boolean];

/** Per operator: patterns that must match EVENT and patterns that must not. */
const TABLE: Record<string, Row[]> = {
  "exact strings, numbers, booleans, null and empty string": [
    [{ source: ["aws.apprunner"] }, true],
    [{ source: ["aws.ec2", "aws.apprunner"] }, true],
    [{ source: ["aws.ec2"] }, false],
    [{ source: ["AWS.APPRUNNER"] }, false],
    [{ detail: { count: [5] } }, true],
    [{ detail: { count: [5.0] } }, true],
    [{ detail: { count: [0.5e1] } }, true],
    [{ detail: { count: ["5"] } }, false],
    [{ detail: { numericString: [5] } }, false],
    [{ detail: { numericString: ["5"] } }, true],
    [{ detail: { flag: [true] } }, true],
    [{ detail: { flag: ["true"] } }, false],
    [{ detail: { off: [false] } }, true],
    [{ detail: { off: [true] } }, false],
    [{ detail: { nothing: [null] } }, true],
    [{ detail: { nothing: [""] } }, false],
    [{ detail: { empty: [""] } }, true],
    [{ detail: { empty: [null] } }, false],
    [{ detail: { missing: [null] } }, false],
    [{ detail: { missing: ["x"] } }, false],
    [{ detail: { zero: [0] } }, true],
    [{ detail: { zero: [false] } }, false],
  ],
  "arrays in the event match any element": [
    [{ resources: ["arn:other"] }, true],
    [{ resources: ["arn:none", "arn:other"] }, true],
    [{ resources: ["arn:none"] }, false],
    [{ detail: { tags: ["green"] } }, true],
    [{ detail: { scores: [7] } }, true],
    [{ detail: { scores: [8] } }, false],
    [{ detail: { emptyList: ["x"] } }, false],
  ],
  "nested objects and array consistency": [
    [{ detail: { nested: { deep: { value: ["x"] } } } }, true],
    [{ detail: { nested: { deep: { value: ["y"] } } } }, false],
    [{ detail: { nested: { value: ["x"] } } }, false],
    [{ detail: { people: { first: ["Anna"] } } }, true],
    [{ detail: { people: { first: ["Anna"], last: ["Smith"] } } }, true],
    // Anna and Doe are in different elements of the array: no match.
    [{ detail: { people: { first: ["Anna"], last: ["Doe"] } } }, false],
    [{ detail: { nested: ["x"] } }, false],
    [{ source: ["aws.apprunner"], detail: { Severity: ["INFO"], ServiceName: ["my-app"] } }, true],
    [{ source: ["aws.apprunner"], detail: { Severity: ["ERROR"], ServiceName: ["my-app"] } }, false],
  ],
  prefix: [
    [{ time: [{ prefix: "2021-04-29" }] }, true],
    [{ time: [{ prefix: "2017" }] }, false],
    [{ source: [{ prefix: "" }] }, true],
    [{ detail: { count: [{ prefix: "5" }] } }, false],
    [{ detail: { nothing: [{ prefix: "n" }] } }, false],
    [{ detail: { tags: [{ prefix: "gr" }] } }, true],
    [{ detail: { ServiceName: [{ prefix: "MY-" }] } }, false],
  ],
  "prefix with equals-ignore-case": [
    [{ detail: { ServiceName: [{ prefix: { "equals-ignore-case": "MY-" } }] } }, true],
    [{ detail: { ServiceName: [{ prefix: { "equals-ignore-case": "your" } }] } }, false],
  ],
  suffix: [
    [{ detail: { file: [{ suffix: ".PNG" }] } }, true],
    [{ detail: { file: [{ suffix: ".png" }] } }, false],
    [{ detail: { file: [{ suffix: { "equals-ignore-case": ".png" } }] } }, true],
    [{ detail: { file: [{ suffix: { "equals-ignore-case": ".jpg" } }] } }, false],
    [{ detail: { limit: [{ suffix: ".8" }] } }, false],
  ],
  "equals-ignore-case": [
    [{ source: [{ "equals-ignore-case": "AWS.AppRunner" }] }, true],
    [{ source: [{ "equals-ignore-case": "aws.app" }] }, false],
    [{ detail: { flag: [{ "equals-ignore-case": "TRUE" }] } }, false],
  ],
  wildcard: [
    [{ detail: { file: [{ wildcard: "images/*.PNG" }] } }, true],
    [{ detail: { file: [{ wildcard: "images/*" }] } }, true],
    [{ detail: { file: [{ wildcard: "*photo*" }] } }, true],
    [{ detail: { file: [{ wildcard: "images/photo.PNG*" }] } }, true],
    [{ detail: { file: [{ wildcard: "*/*.png" }] } }, false],
    [{ detail: { file: [{ wildcard: "images/photo" }] } }, false],
    [{ detail: { star: [{ wildcard: "a\\*b" }] } }, true],
    [{ detail: { star: [{ wildcard: "a\\*" }] } }, false],
    [{ detail: { star: [{ wildcard: "a*b*c" }] } }, false],
    [{ detail: { count: [{ wildcard: "*" }] } }, false],
  ],
  "anything-but": [
    [{ detail: { Severity: [{ "anything-but": "ERROR" }] } }, true],
    [{ detail: { Severity: [{ "anything-but": "INFO" }] } }, false],
    [{ detail: { Severity: [{ "anything-but": ["ERROR", "WARN"] }] } }, true],
    [{ detail: { Severity: [{ "anything-but": ["ERROR", "INFO"] }] } }, false],
    [{ detail: { count: [{ "anything-but": 4 }] } }, true],
    [{ detail: { count: [{ "anything-but": 5 }] } }, false],
    [{ detail: { count: [{ "anything-but": [100, 200, 5.0] }] } }, false],
    [{ detail: { limit: [{ "anything-but": [100, 200, 300] }] } }, true],
    // A field must exist to be "anything but" something.
    [{ detail: { missing: [{ "anything-but": "x" }] } }, false],
    // A null, a number or a string of digits is not the excluded value of another type.
    [{ detail: { nothing: [{ "anything-but": "x" }] } }, true],
    [{ detail: { numericString: [{ "anything-but": 5 }] } }, true],
    [{ detail: { count: [{ "anything-but": "5" }] } }, true],
    // Arrays: matches when some element is not excluded.
    [{ detail: { tags: [{ "anything-but": "blue" }] } }, true],
    [{ detail: { tags: [{ "anything-but": ["blue", "green"] }] } }, false],
  ],
  "anything-but prefix, suffix, equals-ignore-case, wildcard": [
    [{ region: [{ "anything-but": { prefix: "eu-" } }] }, true],
    [{ region: [{ "anything-but": { prefix: "us-" } }] }, false],
    [{ detail: { count: [{ "anything-but": { prefix: "5" } }] } }, true],
    [{ detail: { file: [{ "anything-but": { suffix: ".txt" } }] } }, true],
    [{ detail: { file: [{ "anything-but": { suffix: ".PNG" } }] } }, false],
    [{ detail: { Severity: [{ "anything-but": { "equals-ignore-case": "info" } }] } }, false],
    [{ detail: { Severity: [{ "anything-but": { "equals-ignore-case": ["error", "warn"] } }] } }, true],
    [{ detail: { path: [{ "anything-but": { wildcard: "*/lib/*" } }] } }, false],
    [{ detail: { path: [{ "anything-but": { wildcard: ["*/bin/*", "*/sbin/*"] } }] } }, true],
  ],
  numeric: [
    [{ detail: { count: [{ numeric: [">", 0, "<=", 5] }] } }, true],
    [{ detail: { count: [{ numeric: [">", 0, "<", 5] }] } }, false],
    [{ detail: { count: [{ numeric: [">=", 5] }] } }, true],
    [{ detail: { count: [{ numeric: [">", 5] }] } }, false],
    [{ detail: { count: [{ numeric: ["<", 10] }] } }, true],
    [{ detail: { count: [{ numeric: ["<=", 4.99] }] } }, false],
    [{ detail: { limit: [{ numeric: ["=", 3.018e2] }] } }, true],
    [{ detail: { limit: [{ numeric: ["=", 301.9] }] } }, false],
    [{ detail: { negative: [{ numeric: ["<", 0] }] } }, true],
    [{ detail: { zero: [{ numeric: [">=", 0, "<", 1] }] } }, true],
    // Only JSON numbers: strings of digits, booleans, null and absent fields never match.
    [{ detail: { numericString: [{ numeric: ["=", 5] }] } }, false],
    [{ detail: { flag: [{ numeric: [">", 0] }] } }, false],
    [{ detail: { nothing: [{ numeric: ["<", 1] }] } }, false],
    [{ detail: { missing: [{ numeric: [">", 0] }] } }, false],
    [{ detail: { scores: [{ numeric: [">", 10] }] } }, true],
    [{ detail: { scores: [{ numeric: [">", 12] }] } }, false],
  ],
  exists: [
    [{ detail: { count: [{ exists: true }] } }, true],
    [{ detail: { missing: [{ exists: true }] } }, false],
    [{ detail: { missing: [{ exists: false }] } }, true],
    [{ detail: { count: [{ exists: false }] } }, false],
    [{ detail: { nothing: [{ exists: true }] } }, true],
    [{ detail: { empty: [{ exists: true }] } }, true],
    // Only leaves exist: an object-valued field does not, and an empty array holds no value.
    [{ detail: { nested: [{ exists: true }] } }, false],
    [{ detail: { nested: [{ exists: false }] } }, true],
    [{ detail: { emptyList: [{ exists: false }] } }, true],
    [{ detail: { emptyList: [{ exists: true }] } }, false],
    [{ detail: { absent: { inner: [{ exists: false }] } } }, true],
    [{ nope: { inner: [{ exists: true }] } }, false],
    [{ detail: { missing: ["x", { exists: false }] } }, true],
  ],
  cidr: [
    [{ detail: { ip: [{ cidr: "10.0.0.0/24" }] } }, true],
    [{ detail: { ip: [{ cidr: "10.0.1.0/24" }] } }, false],
    [{ detail: { ip: [{ cidr: "0.0.0.0/0" }] } }, true],
    [{ detail: { ip6: [{ cidr: "2001:db8::/32" }] } }, true],
    [{ detail: { ip6: [{ cidr: "2001:db9::/32" }] } }, false],
    [{ detail: { ip6: [{ cidr: "10.0.0.0/8" }] } }, false],
    [{ detail: { ServiceName: [{ cidr: "10.0.0.0/8" }] } }, false],
  ],
  $or: [
    [{ source: ["aws.apprunner"], $or: [{ detail: { count: [1] } }, { detail: { Severity: ["INFO"] } }] }, true],
    [{ source: ["aws.apprunner"], $or: [{ detail: { count: [1] } }, { detail: { Severity: ["ERROR"] } }] }, false],
    [{ source: ["aws.ec2"], $or: [{ detail: { count: [5] } }, { region: ["us-east-2"] }] }, false],
    [{ detail: { $or: [{ count: [{ numeric: [">", 10] }] }, { limit: [{ numeric: [">", 300] }] }] } }, true],
    [
      {
        $or: [
          { region: ["eu-west-1"] },
          { account: ["111122223333"], $or: [{ detail: { flag: [false] } }, { detail: { off: [false] } }] },
        ],
      },
      true,
    ],
    [{ $or: [{ region: ["eu-west-1"] }, { account: ["1"], detail: { off: [false] } }] }, false],
  ],
  "the guide's App Runner patterns": [
    [{ "detail-type": ["AppRunner Service Operation Status Change"], source: ["aws.apprunner"] }, true],
    [{ "detail-type": ["AppRunner Service Status Change"], source: ["aws.apprunner"] }, false],
    [{ source: ["aws.apprunner"], account: ["111122223333"], detail: { Status: [{ suffix: "Failed" }] } }, false],
    [{ source: ["aws.apprunner"], detail: { Status: [{ suffix: "CompletedSuccessfully" }] } }, true],
  ],
};

describe("event patterns against one event", () => {
  for (const [operator, rows] of Object.entries(TABLE)) {
    it(operator, () => {
      for (const [pattern, expected] of rows) {
        const compiled = compilePattern(JSON.stringify(pattern));
        assert.equal(compiled.matches(EVENT), expected, `${JSON.stringify(pattern)} should ${expected ? "" : "not "}match`);
      }
    });
  }
});

/** Patterns EventBridge refuses, and (part of) the reason it gives. */
const INVALID: [pattern: string, reason: string][] = [
  ["not json", "Filter is not valid JSON"],
  ["[1]", "Filter is not an object"],
  ['"source"', "Filter is not an object"],
  ["{}", "Empty objects are not allowed"],
  ['{"detail": {}}', "Empty objects are not allowed (at detail)"],
  ['{"source": "aws.apprunner"}', '"source" must be an object or an array'],
  ['{"source": 5}', '"source" must be an object or an array'],
  ['{"source": []}', "Empty arrays are not allowed (at source)"],
  ['{"source": [["a"]]}', "Match value must be String, number, true, false, or null (at source[0])"],
  ['{"source": [{}]}', "Match expression name not found"],
  ['{"source": [{"prefix": "a", "suffix": "b"}]}', "Only one key allowed in match expression"],
  ['{"source": [{"contains": "a"}]}', "Unrecognized match type contains"],
  ['{"source": [{"prefix": 5}]}', "prefix match pattern must be a string (at source[0].prefix)"],
  ['{"source": [{"prefix": {"other": "x"}}]}', "Unsupported prefix pattern: other"],
  ['{"source": [{"suffix": null}]}', "suffix match pattern must be a string"],
  ['{"source": [{"equals-ignore-case": ["a"]}]}', "equals-ignore-case match pattern must be a string"],
  ['{"source": [{"wildcard": 1}]}', "wildcard match pattern must be a string"],
  ['{"source": [{"wildcard": "a**b"}]}', "Consecutive wildcard characters at pos 2"],
  ['{"source": [{"wildcard": "a\\\\xb"}]}', "Invalid escape character at pos 1"],
  ['{"source": [{"exists": "yes"}]}', "exists match pattern must be either true or false."],
  ['{"n": [{"numeric": 5}]}', "Value of numeric must be an array."],
  ['{"n": [{"numeric": []}]}', "Invalid member in numeric match: ]"],
  ['{"n": [{"numeric": ["!=", 5]}]}', "Unrecognized numeric range operator: !="],
  ['{"n": [{"numeric": [">", "5"]}]}', "Value of > must be numeric"],
  ['{"n": [{"numeric": ["=", "5"]}]}', "Value of equals must be numeric"],
  ['{"n": [{"numeric": ["<", 5, ">", 0]}]}', "Too many elements in numeric expression"],
  ['{"n": [{"numeric": [">", 0, 5]}]}', "Bad value in numeric range: 5"],
  ['{"n": [{"numeric": [">", 0, ">", 5]}]}', "Bad numeric range operator: >"],
  ['{"n": [{"numeric": [">", 0, "<", "5"]}]}', "Value of < must be numeric"],
  ['{"n": [{"numeric": [">", 5, "<", 5]}]}', "Bottom must be less than top"],
  ['{"n": [{"numeric": [">", 0, "<", 5, "x"]}]}', "Too many terms in numeric range expression"],
  ['{"s": [{"anything-but": true}]}', "Value of anything-but must be an array or single string/number value."],
  ['{"s": [{"anything-but": ["a", 1]}]}', "mixed type is not supported"],
  ['{"s": [{"anything-but": []}]}', "mixed type is not supported"],
  ['{"s": [{"anything-but": [null]}]}', "start|null|boolean is not supported"],
  ['{"s": [{"anything-but": {"numeric": [">", 1]}}]}', "Unsupported anything-but pattern: numeric"],
  ['{"s": [{"anything-but": {"prefix": ""}}]}', "Null prefix/suffix not allowed"],
  ['{"s": [{"anything-but": {"suffix": 1}}]}', "prefix/suffix match pattern must be a string"],
  ['{"s": [{"anything-but": {"equals-ignore-case": [1]}}]}', "Inside anything-but/equals-ignore-case list"],
  ['{"s": [{"anything-but": {"wildcard": "a**"}}]}', "Consecutive wildcard characters"],
  ['{"ip": [{"cidr": "10.0.0.0"}]}', "Malformed CIDR, one '/' required"],
  ['{"ip": [{"cidr": "10.0.0.0/x"}]}', "Malformed CIDR, mask bits must be an integer"],
  ['{"ip": [{"cidr": "10.0.0/8"}]}', "Nonstandard IP address: 10.0.0"],
  ['{"ip": [{"cidr": "10.0.0.0/33"}]}', "mask bits must be between 0 and 32"],
  ['{"$or": {"a": ["b"]}}', "It must be an Array followed with $or."],
  ['{"$or": [{"a": ["b"]}]}', "There must have at least 2 Objects in $or relationship."],
  ['{"$or": [{"a": ["b"]}, ["c"]]}', "Only JSON object is allowed in array of $or relationship. (at $or[1])"],
  ['{"$or": [{"a": ["b"]}, {"prefix": ["c"]}]}', "prefix is a reserved keyword"],
];

describe("invalid event patterns", () => {
  it("are refused with InvalidEventPatternException and a reason", () => {
    for (const [pattern, reason] of INVALID) {
      assert.throws(
        () => compilePattern(pattern),
        (err: Error & { awsType?: string }) => {
          assert.equal(err.awsType, "InvalidEventPatternException", pattern);
          assert.ok(err.message.startsWith("Event pattern is not valid. Reason: "), err.message);
          assert.ok(err.message.includes(reason), `${pattern}: expected "${reason}" in "${err.message}"`);
          return true;
        },
      );
    }
  });
});
