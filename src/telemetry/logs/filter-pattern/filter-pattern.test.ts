import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AppRunnerError } from "../../../errors/app-runner-error.js";
import { compileFilterPattern } from "./compile.js";
import { splitFields } from "./split-fields.js";

interface Case {
  pattern: string;
  matches: string[];
  misses: string[];
}

const TERMS: Case[] = [
  { pattern: "", matches: ["anything", ""], misses: [] },
  { pattern: "ERROR", matches: ["[ERROR 400] BAD REQUEST", "an ERROR here"], misses: ["error lowercase", "[WARN] fine"] },
  { pattern: "ERROR ARGUMENTS", matches: ["[ERROR] bad ARGUMENTS"], misses: ["[ERROR] bad request", "ARGUMENTS only"] },
  { pattern: '"INTERNAL SERVER ERROR"', matches: ["500 INTERNAL SERVER ERROR seen"], misses: ["INTERNAL ERROR SERVER", "internal server error"] },
  { pattern: '"ERROR 4"', matches: ["[ERROR 400]"], misses: ["[ERROR 500]"] },
  { pattern: "ERROR -ARGUMENTS", matches: ["[ERROR] bad request"], misses: ["[ERROR] bad ARGUMENTS", "nothing"] },
  { pattern: "?ERROR ?WARN", matches: ["[ERROR] x", "[WARN] y", "ERROR and WARN"], misses: ["[INFO] z"] },
  { pattern: 'latency ?"p99" ?p50 -timeout', matches: ["latency p99=3"], misses: ["latency p90=3", "latency p50 timeout", "p99 only"] },
  { pattern: '""', matches: ["anything"], misses: [] },
  { pattern: '"say \\"hi\\""', matches: ['they say "hi" there'], misses: ["they say hi there"] },
  { pattern: "a.b:c", matches: ["x a.b:c y"], misses: ["a.b c"] },
];

const JSON_PATTERNS: Case[] = [
  { pattern: '{ $.level = "error" }', matches: ['{"level":"error"}', '{"level": "error", "x": 1}'], misses: ['{"level":"ERROR"}', '{"lvl":"error"}', "level error", "{broken"] },
  { pattern: "{ $.level = error }", matches: ['{"level":"error"}'], misses: ['{"level":"errors"}'] },
  { pattern: '{ $.level != "info" }', matches: ['{"level":"error"}'], misses: ['{"level":"info"}', '{"other":1}'] },
  { pattern: "{ $.latency > 100 }", matches: ['{"latency":101}', '{"latency":"250"}', '{"latency":1e3}'], misses: ['{"latency":100}', '{"latency":"fast"}', "{}"] },
  { pattern: "{ $.latency >= 100 && $.latency < 200 }", matches: ['{"latency":100}', '{"latency":199.5}'], misses: ['{"latency":200}', '{"latency":99}'] },
  { pattern: "{ $.status = 200 }", matches: ['{"status":200}', '{"status":"200"}'], misses: ['{"status":201}', '{"status":null}'] },
  { pattern: "{ $.status != 200 }", matches: ['{"status":500}', '{"status":"n/a"}'], misses: ['{"status":200}', "{}"] },
  { pattern: '{ $.user.name = "Ann*" }', matches: ['{"user":{"name":"Anne"}}', '{"user":{"name":"Ann"}}'], misses: ['{"user":{"name":"Joann"}}', '{"user":"Ann"}'] },
  { pattern: "{ $.ip != 10.0.* }", matches: ['{"ip":"192.168.0.1"}'], misses: ['{"ip":"10.0.3.4"}'] },
  { pattern: '{ $.users[1].email = "*@example.com" }', matches: ['{"users":[{},{"email":"b@example.com"}]}'], misses: ['{"users":[{"email":"a@example.com"}]}'] },
  { pattern: '{ ($.a = 1 && $.b = "x") || $.c IS TRUE }', matches: ['{"a":1,"b":"x"}', '{"c":true}'], misses: ['{"a":1,"b":"y"}', '{"c":false}', '{"c":"true"}'] },
  { pattern: "{ $.a = 1 || $.b = 2 && $.c = 3 }", matches: ['{"a":1}', '{"b":2,"c":3}'], misses: ['{"b":2}', '{"c":3}'] },
  { pattern: "{ $.err IS NULL }", matches: ['{"err":null}'], misses: ["{}", '{"err":0}'] },
  { pattern: "{ $.err NOT EXISTS }", matches: ["{}", '{"other":null}'], misses: ['{"err":null}', '{"err":1}'] },
  { pattern: "{ $.ok IS FALSE }", matches: ['{"ok":false}'], misses: ['{"ok":true}', '{"ok":0}', "{}"] },
  { pattern: "{ $.ok is true }", matches: ['{"ok":true}'], misses: ['{"ok":false}'] },
  { pattern: '{ $.msg = "*time out*" }', matches: ['{"msg":"a time out b"}'], misses: ['{"msg":"timeout"}'] },
  { pattern: '{ $.msg = "caf\u00e9" }', matches: ['{"msg":"caf\\u00e9"}', '{"msg":"café"}'], misses: ['{"msg":"cafe"}'] },
  { pattern: "{ $.list[0] = 7 }", matches: ['{"list":[7,8]}'], misses: ['{"list":[8,7]}', '{"list":[]}'] },
];

const DELIMITED: Case[] = [
  { pattern: "[w1=ERROR, w2]", matches: ["ERROR disk"], misses: ["ERROR disk full", "WARN disk", "ERROR"] },
  {
    pattern: '[ip, user, username, timestamp, request = "*html*", status_code = 4*, bytes]',
    matches: ['127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534'],
    misses: [
      '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 200 1534',
      '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /a.gif HTTP/1.0" 404 1534',
      "127.0.0.1 - frank 404 1534",
    ],
  },
  { pattern: "[ip, user, ..., status = 5*, size > 1000]", matches: ["1.2.3.4 bob GET / 503 2048", "1.2.3.4 bob 500 1001"], misses: ["1.2.3.4 bob GET / 503 999", "1.2.3.4 bob GET / 404 5000", "503 2048"] },
  { pattern: "[..., status != 200, size]", matches: ["a b 404 10"], misses: ["a b 200 10"] },
  { pattern: "[a, ..., b = x, ..., c]", matches: ["1 2 x 3 4", "1 x 4"], misses: ["1 2 3 4", "x"] },
  { pattern: "[level, code = 4* || code = 5*, msg]", matches: ["E 503 down", "E 404 gone"], misses: ["I 200 ok"] },
  { pattern: "[level = E && code >= 500, code, ...]", matches: ["E 500", "E 503 x"], misses: ["E 499 x", "W 500"] },
  { pattern: "[a, b]", matches: ["  one   two  ", 'x "y z"'], misses: ["one", "one two three"] },
];

const INVALID = [
  "{ $.level = }",
  "{ level = 1 }",
  "{ $.a = 1",
  "{ $.a > abc }",
  "{ $. = 1 }",
  "{ $.a IS MAYBE }",
  "{ $.a NOT THERE }",
  "{ $.a = 1 } trailing",
  "[a, b",
  "[a, a]",
  "[a = 1 && z = 2]",
  "[a > x]",
  "[, a]",
  '"unterminated',
  "- spaced",
  '?"a"b',
  "%regex%",
];

function check(group: string, cases: Case[]): void {
  describe(group, () => {
    for (const c of cases) {
      it(`${c.pattern || "(empty)"}`, () => {
        const f = compileFilterPattern(c.pattern);
        for (const m of c.matches) {
          assert.equal(f.matches(m), true, `should match: ${m}`);
          // Pre-selection must never drop a match.
          for (const group of f.requiredText) assert.ok(group.some((t) => m.includes(t)), `requiredText ${JSON.stringify(group)} drops: ${m}`);
        }
        for (const m of c.misses) assert.equal(f.matches(m), false, `should not match: ${m}`);
      });
    }
  });
}

check("filter patterns: terms", TERMS);
check("filter patterns: JSON", JSON_PATTERNS);
check("filter patterns: space-delimited", DELIMITED);

describe("filter patterns: invalid ones are InvalidParameterException", () => {
  for (const p of INVALID) {
    it(p, () => {
      assert.throws(
        () => compileFilterPattern(p),
        (e: unknown) => e instanceof AppRunnerError && e.awsType === "InvalidParameterException" && e.message.includes("filter pattern"),
      );
    });
  }
});

describe("filter patterns: pre-selection text", () => {
  const cases: [string, string[][]][] = [
    ["ERROR -x ?a ?b", [["ERROR"], ["a", "b"]]],
    ['{ $.level = "err*" && $.n > 3 }', [["err", "\\"]]],
    ['{ $.a = "x" || $.b = "y" }', []],
    ["{ $.code = 200 }", []],
    ["[a, b = GET*]", [["GET"]]],
    ["", []],
  ];
  for (const [pattern, want] of cases) {
    it(pattern || "(empty)", () => assert.deepEqual(compileFilterPattern(pattern).requiredText, want));
  }
});

describe("splitFields", () => {
  const cases: [string, string[]][] = [
    ["a b  c", ["a", "b", "c"]],
    ['1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200', ["1.2.3.4", "-", "-", "10/Oct/2000:13:55:36 -0700", "GET / HTTP/1.0", "200"]],
    ['"unterminated x', ['"unterminated', "x"]],
    ["", []],
  ];
  for (const [line, want] of cases) it(JSON.stringify(line), () => assert.deepEqual(splitFields(line), want));
});
