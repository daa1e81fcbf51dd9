import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { contextOf, evaluate, parsePolicy } from "./engine.js";

type Ctx = Record<string, string | string[]>;
interface Case {
  name: string;
  condition: Record<string, Record<string, unknown>>;
  ctx: Ctx;
  holds: boolean;
}

/** An Allow of every App Runner action under `condition`: Allow when the condition holds. */
function holds(condition: Case["condition"], ctx: Ctx): boolean {
  const doc = { Version: "2012-10-17", Statement: { Effect: "Allow", Action: "apprunner:*", Resource: "*", Condition: condition } };
  const decision = evaluate([parsePolicy(JSON.stringify(doc), "identity")], {
    action: "apprunner:DescribeService",
    resource: "arn:aws:apprunner:us-east-1:111122223333:service/web/0123",
    context: contextOf(ctx),
  });
  return decision === "Allow";
}

function table(title: string, cases: readonly Case[]): void {
  describe(title, () => {
    for (const c of cases) it(c.name, () => assert.equal(holds(c.condition, c.ctx), c.holds));
  });
}

const TEAM = "aws:PrincipalTag/team";

table("String operators", [
  { name: "StringEquals matches exactly", condition: { StringEquals: { [TEAM]: "web" } }, ctx: { [TEAM]: "web" }, holds: true },
  { name: "StringEquals is case-sensitive on values", condition: { StringEquals: { [TEAM]: "web" } }, ctx: { [TEAM]: "Web" }, holds: false },
  { name: "StringEquals: key names are case-insensitive", condition: { StringEquals: { "AWS:PRINCIPALTAG/TEAM": "web" } }, ctx: { [TEAM]: "web" }, holds: true },
  { name: "StringEquals: values of one key are ORed", condition: { StringEquals: { [TEAM]: ["api", "web"] } }, ctx: { [TEAM]: "web" }, holds: true },
  { name: "StringEquals: keys are ANDed", condition: { StringEquals: { [TEAM]: "web", "aws:username": "alice" } }, ctx: { [TEAM]: "web", "aws:username": "bob" }, holds: false },
  { name: "StringEquals: operators are ANDed", condition: { StringEquals: { [TEAM]: "web" }, StringLike: { "aws:username": "a*" } }, ctx: { [TEAM]: "web", "aws:username": "bob" }, holds: false },
  { name: "StringEquals: missing key is false", condition: { StringEquals: { [TEAM]: "web" } }, ctx: {}, holds: false },
  { name: "StringEquals: `*` is literal", condition: { StringEquals: { [TEAM]: "w*" } }, ctx: { [TEAM]: "web" }, holds: false },
  { name: "StringEquals: numbers in the policy compare as text", condition: { StringEquals: { "aws:PrincipalTag/level": 3 } }, ctx: { "aws:PrincipalTag/level": "3" }, holds: true },
  { name: "StringNotEquals: a different value holds", condition: { StringNotEquals: { [TEAM]: "web" } }, ctx: { [TEAM]: "api" }, holds: true },
  { name: "StringNotEquals: the same value fails", condition: { StringNotEquals: { [TEAM]: "web" } }, ctx: { [TEAM]: "web" }, holds: false },
  { name: "StringNotEquals: NOR over the policy values", condition: { StringNotEquals: { [TEAM]: ["api", "web"] } }, ctx: { [TEAM]: "api" }, holds: false },
  { name: "StringNotEquals: none of the values holds", condition: { StringNotEquals: { [TEAM]: ["api", "web"] } }, ctx: { [TEAM]: "db" }, holds: true },
  { name: "StringNotEquals: missing key holds (negated)", condition: { StringNotEquals: { [TEAM]: "web" } }, ctx: {}, holds: true },
  { name: "StringEqualsIgnoreCase ignores case", condition: { StringEqualsIgnoreCase: { [TEAM]: "WEB" } }, ctx: { [TEAM]: "web" }, holds: true },
  { name: "StringEqualsIgnoreCase: other value fails", condition: { StringEqualsIgnoreCase: { [TEAM]: "WEB" } }, ctx: { [TEAM]: "webs" }, holds: false },
  { name: "StringNotEqualsIgnoreCase: same value other case fails", condition: { StringNotEqualsIgnoreCase: { [TEAM]: "WEB" } }, ctx: { [TEAM]: "web" }, holds: false },
  { name: "StringNotEqualsIgnoreCase: other value holds", condition: { StringNotEqualsIgnoreCase: { [TEAM]: "WEB" } }, ctx: { [TEAM]: "api" }, holds: true },
  { name: "StringLike with *", condition: { StringLike: { "aws:username": "ci-*" } }, ctx: { "aws:username": "ci-deploy" }, holds: true },
  { name: "StringLike with ?", condition: { StringLike: { "aws:username": "ci-?" } }, ctx: { "aws:username": "ci-12" }, holds: false },
  { name: "StringLike ? matches one character", condition: { StringLike: { "aws:username": "ci-??" } }, ctx: { "aws:username": "ci-12" }, holds: true },
  { name: "StringLike is case-sensitive", condition: { StringLike: { "aws:username": "CI-*" } }, ctx: { "aws:username": "ci-deploy" }, holds: false },
  { name: "StringLike * in the middle", condition: { StringLike: { "aws:username": "a*z" } }, ctx: { "aws:username": "abcz" }, holds: true },
  { name: "StringLike * matches empty", condition: { StringLike: { "aws:username": "ab*" } }, ctx: { "aws:username": "ab" }, holds: true },
  { name: "StringNotLike: matching value fails", condition: { StringNotLike: { "aws:username": "ci-*" } }, ctx: { "aws:username": "ci-x" }, holds: false },
  { name: "StringNotLike: other value holds", condition: { StringNotLike: { "aws:username": "ci-*" } }, ctx: { "aws:username": "alice" }, holds: true },
  { name: "StringNotLike: missing key holds", condition: { StringNotLike: { "aws:username": "ci-*" } }, ctx: {}, holds: true },
]);

table("Numeric operators", [
  { name: "NumericEquals", condition: { NumericEquals: { "apprunner:MaxSize": "10" } }, ctx: { "apprunner:MaxSize": "10" }, holds: true },
  { name: "NumericEquals compares numbers, not text", condition: { NumericEquals: { "apprunner:MaxSize": 10 } }, ctx: { "apprunner:MaxSize": "10.0" }, holds: true },
  { name: "NumericEquals different", condition: { NumericEquals: { "apprunner:MaxSize": "10" } }, ctx: { "apprunner:MaxSize": "11" }, holds: false },
  { name: "NumericNotEquals", condition: { NumericNotEquals: { "apprunner:MaxSize": "10" } }, ctx: { "apprunner:MaxSize": "11" }, holds: true },
  { name: "NumericNotEquals equal fails", condition: { NumericNotEquals: { "apprunner:MaxSize": "10" } }, ctx: { "apprunner:MaxSize": "10" }, holds: false },
  { name: "NumericLessThan below", condition: { NumericLessThan: { "apprunner:MaxSize": "10" } }, ctx: { "apprunner:MaxSize": "9" }, holds: true },
  { name: "NumericLessThan equal fails", condition: { NumericLessThan: { "apprunner:MaxSize": "10" } }, ctx: { "apprunner:MaxSize": "10" }, holds: false },
  { name: "NumericLessThanEquals equal", condition: { NumericLessThanEquals: { "apprunner:MaxSize": "10" } }, ctx: { "apprunner:MaxSize": "10" }, holds: true },
  { name: "NumericGreaterThan above", condition: { NumericGreaterThan: { "apprunner:MaxSize": "10" } }, ctx: { "apprunner:MaxSize": "25" }, holds: true },
  { name: "NumericGreaterThan equal fails", condition: { NumericGreaterThan: { "apprunner:MaxSize": "10" } }, ctx: { "apprunner:MaxSize": "10" }, holds: false },
  { name: "NumericGreaterThanEquals equal", condition: { NumericGreaterThanEquals: { "apprunner:MaxSize": "10" } }, ctx: { "apprunner:MaxSize": "10" }, holds: true },
  { name: "NumericGreaterThanEquals below fails", condition: { NumericGreaterThanEquals: { "apprunner:MaxSize": "10" } }, ctx: { "apprunner:MaxSize": "9.5" }, holds: false },
  { name: "Numeric: a request value that is not a number never matches", condition: { NumericLessThan: { "apprunner:MaxSize": "10" } }, ctx: { "apprunner:MaxSize": "ten" }, holds: false },
  { name: "Numeric: not-a-number fails the negated operator too", condition: { NumericNotEquals: { "apprunner:MaxSize": "10" } }, ctx: { "apprunner:MaxSize": "ten" }, holds: false },
  { name: "Numeric: missing key is false", condition: { NumericLessThan: { "apprunner:MaxSize": "10" } }, ctx: {}, holds: false },
]);

const NOW = "aws:CurrentTime";
table("Date operators", [
  { name: "DateEquals same instant in another notation", condition: { DateEquals: { [NOW]: "2026-12-05T10:00:00Z" } }, ctx: { [NOW]: "2026-12-05T11:00:00+01:00" }, holds: true },
  { name: "DateEquals epoch seconds against ISO", condition: { DateEquals: { "aws:EpochTime": "2026-12-05T10:00:00Z" } }, ctx: { "aws:EpochTime": String(Date.UTC(2026, 11, 5, 10) / 1000) }, holds: true },
  { name: "DateNotEquals", condition: { DateNotEquals: { [NOW]: "2026-12-05T10:00:00Z" } }, ctx: { [NOW]: "2026-12-05T10:00:01Z" }, holds: true },
  { name: "DateLessThan before", condition: { DateLessThan: { [NOW]: "2027-01-01T00:00:00Z" } }, ctx: { [NOW]: "2026-12-05T10:00:00Z" }, holds: true },
  { name: "DateLessThan after fails", condition: { DateLessThan: { [NOW]: "2026-01-01T00:00:00Z" } }, ctx: { [NOW]: "2026-12-05T10:00:00Z" }, holds: false },
  { name: "DateLessThanEquals equal", condition: { DateLessThanEquals: { [NOW]: "2026-12-05T10:00:00Z" } }, ctx: { [NOW]: "2026-12-05T10:00:00Z" }, holds: true },
  { name: "DateGreaterThan a plain date", condition: { DateGreaterThan: { [NOW]: "2026-12-01" } }, ctx: { [NOW]: "2026-12-05T10:00:00Z" }, holds: true },
  { name: "DateGreaterThan equal fails", condition: { DateGreaterThan: { [NOW]: "2026-12-05T10:00:00Z" } }, ctx: { [NOW]: "2026-12-05T10:00:00Z" }, holds: false },
  { name: "DateGreaterThanEquals epoch policy value", condition: { DateGreaterThanEquals: { [NOW]: String(Date.UTC(2026, 11, 5, 10) / 1000) } }, ctx: { [NOW]: "2026-12-05T10:00:00Z" }, holds: true },
  { name: "Date: a request value that is not a date never matches", condition: { DateLessThan: { [NOW]: "2027-01-01T00:00:00Z" } }, ctx: { [NOW]: "yesterday" }, holds: false },
]);

table("Bool, BinaryEquals and Null", [
  { name: "Bool true", condition: { Bool: { "aws:SecureTransport": "true" } }, ctx: { "aws:SecureTransport": "true" }, holds: true },
  { name: "Bool JSON boolean in the policy", condition: { Bool: { "aws:SecureTransport": true } }, ctx: { "aws:SecureTransport": "true" }, holds: true },
  { name: "Bool false against true", condition: { Bool: { "aws:SecureTransport": "false" } }, ctx: { "aws:SecureTransport": "true" }, holds: false },
  { name: "Bool is case-insensitive", condition: { Bool: { "aws:SecureTransport": "TRUE" } }, ctx: { "aws:SecureTransport": "true" }, holds: true },
  { name: "Bool missing key is false", condition: { Bool: { "aws:SecureTransport": "false" } }, ctx: {}, holds: false },
  { name: "BinaryEquals same bytes", condition: { BinaryEquals: { "apprunner:Blob": "QmluYXJ5VmFsdWU=" } }, ctx: { "apprunner:Blob": "QmluYXJ5VmFsdWU=" }, holds: true },
  { name: "BinaryEquals other bytes", condition: { BinaryEquals: { "apprunner:Blob": "QmluYXJ5VmFsdWU=" } }, ctx: { "apprunner:Blob": "T3RoZXI=" }, holds: false },
  { name: "Null true: key absent", condition: { Null: { "aws:TokenIssueTime": "true" } }, ctx: {}, holds: true },
  { name: "Null true: key present fails", condition: { Null: { "aws:TokenIssueTime": "true" } }, ctx: { "aws:TokenIssueTime": "2026-12-05T10:00:00Z" }, holds: false },
  { name: "Null false: key present", condition: { Null: { "aws:TokenIssueTime": "false" } }, ctx: { "aws:TokenIssueTime": "2026-12-05T10:00:00Z" }, holds: true },
  { name: "Null false: key absent fails", condition: { Null: { "aws:TokenIssueTime": false } }, ctx: {}, holds: false },
  { name: "Null: an empty multi-valued key is absent", condition: { Null: { "aws:TagKeys": "true" } }, ctx: { "aws:TagKeys": [] }, holds: true },
]);

const IP = "aws:SourceIp";
table("IpAddress and NotIpAddress", [
  { name: "IPv4 inside a /24", condition: { IpAddress: { [IP]: "203.0.113.0/24" } }, ctx: { [IP]: "203.0.113.77" }, holds: true },
  { name: "IPv4 outside a /24", condition: { IpAddress: { [IP]: "203.0.113.0/24" } }, ctx: { [IP]: "203.0.114.1" }, holds: false },
  { name: "IPv4 bare address is a /32", condition: { IpAddress: { [IP]: "127.0.0.1" } }, ctx: { [IP]: "127.0.0.1" }, holds: true },
  { name: "IPv4 /0 is everything", condition: { IpAddress: { [IP]: "0.0.0.0/0" } }, ctx: { [IP]: "198.51.100.3" }, holds: true },
  { name: "IPv4 odd prefix /27", condition: { IpAddress: { [IP]: "192.0.2.32/27" } }, ctx: { [IP]: "192.0.2.64" }, holds: false },
  { name: "IPv4 odd prefix /27 inside", condition: { IpAddress: { [IP]: "192.0.2.32/27" } }, ctx: { [IP]: "192.0.2.63" }, holds: true },
  { name: "IPv6 inside a /32", condition: { IpAddress: { [IP]: "2001:DB8::/32" } }, ctx: { [IP]: "2001:db8:1234::1" }, holds: true },
  { name: "IPv6 outside a /32", condition: { IpAddress: { [IP]: "2001:db8::/32" } }, ctx: { [IP]: "2001:db9::1" }, holds: false },
  { name: "IPv6 loopback", condition: { IpAddress: { [IP]: "::1/128" } }, ctx: { [IP]: "::1" }, holds: true },
  { name: "IPv4-mapped client in an IPv4 block", condition: { IpAddress: { [IP]: "127.0.0.0/8" } }, ctx: { [IP]: "::ffff:127.0.0.1" }, holds: true },
  { name: "IPv4 block does not cover IPv6", condition: { IpAddress: { [IP]: "0.0.0.0/0" } }, ctx: { [IP]: "2001:db8::1" }, holds: false },
  { name: "several blocks are ORed", condition: { IpAddress: { [IP]: ["10.0.0.0/8", "203.0.113.0/24"] } }, ctx: { [IP]: "203.0.113.9" }, holds: true },
  { name: "NotIpAddress outside holds", condition: { NotIpAddress: { [IP]: "203.0.113.0/24" } }, ctx: { [IP]: "198.51.100.1" }, holds: true },
  { name: "NotIpAddress inside fails", condition: { NotIpAddress: { [IP]: "203.0.113.0/24" } }, ctx: { [IP]: "203.0.113.1" }, holds: false },
  { name: "IpAddress: a request value that is not an IP never matches", condition: { IpAddress: { [IP]: "0.0.0.0/0" } }, ctx: { [IP]: "localhost" }, holds: false },
]);

const CONN = "apprunner:ConnectionArn";
table("ARN operators", [
  { name: "ArnEquals exact", condition: { ArnEquals: { [CONN]: "arn:aws:apprunner:us-east-1:111122223333:connection/gh/abc" } }, ctx: { [CONN]: "arn:aws:apprunner:us-east-1:111122223333:connection/gh/abc" }, holds: true },
  { name: "ArnEquals takes wildcards per part", condition: { ArnEquals: { [CONN]: "arn:aws:apprunner:*:111122223333:connection/*" } }, ctx: { [CONN]: "arn:aws:apprunner:eu-west-1:111122223333:connection/gh/abc" }, holds: true },
  { name: "ArnLike region wildcard does not eat the account", condition: { ArnLike: { [CONN]: "arn:aws:apprunner:*:111122223333:connection/*" } }, ctx: { [CONN]: "arn:aws:apprunner:eu-west-1:444455556666:connection/x:111122223333:connection/y" }, holds: false },
  { name: "ArnLike is case-sensitive", condition: { ArnLike: { [CONN]: "arn:aws:apprunner:*:*:connection/Prod/*" } }, ctx: { [CONN]: "arn:aws:apprunner:us-east-1:111122223333:connection/prod/1" }, holds: false },
  { name: "ArnLike ? in the account", condition: { ArnLike: { [CONN]: "arn:aws:apprunner:us-east-1:11112222333?:connection/*" } }, ctx: { [CONN]: "arn:aws:apprunner:us-east-1:111122223333:connection/a" }, holds: true },
  { name: "ArnLike: a request value that is not an ARN never matches", condition: { ArnLike: { [CONN]: "*" } }, ctx: { [CONN]: "connection/prod" }, holds: false },
  { name: "ArnNotEquals other ARN holds", condition: { ArnNotEquals: { [CONN]: "arn:aws:apprunner:*:*:connection/prod/*" } }, ctx: { [CONN]: "arn:aws:apprunner:us-east-1:111122223333:connection/dev/1" }, holds: true },
  { name: "ArnNotLike matching ARN fails", condition: { ArnNotLike: { [CONN]: "arn:aws:apprunner:*:*:connection/prod/*" } }, ctx: { [CONN]: "arn:aws:apprunner:us-east-1:111122223333:connection/prod/1" }, holds: false },
  { name: "ArnNotLike missing key holds", condition: { ArnNotLike: { [CONN]: "arn:aws:apprunner:*:*:connection/prod/*" } }, ctx: {}, holds: true },
]);

table("...IfExists", [
  { name: "StringEqualsIfExists: missing key holds", condition: { StringEqualsIfExists: { [TEAM]: "web" } }, ctx: {}, holds: true },
  { name: "StringEqualsIfExists: present and different fails", condition: { StringEqualsIfExists: { [TEAM]: "web" } }, ctx: { [TEAM]: "api" }, holds: false },
  { name: "StringEqualsIfExists: present and equal holds", condition: { StringEqualsIfExists: { [TEAM]: "web" } }, ctx: { [TEAM]: "web" }, holds: true },
  { name: "StringNotEqualsIfExists: present and equal fails", condition: { StringNotEqualsIfExists: { [TEAM]: "web" } }, ctx: { [TEAM]: "web" }, holds: false },
  { name: "NumericLessThanIfExists: missing holds", condition: { NumericLessThanIfExists: { "apprunner:MaxSize": "5" } }, ctx: {}, holds: true },
  { name: "NumericLessThanIfExists: present too big fails", condition: { NumericLessThanIfExists: { "apprunner:MaxSize": "5" } }, ctx: { "apprunner:MaxSize": "6" }, holds: false },
  { name: "DateLessThanIfExists: missing holds", condition: { DateLessThanIfExists: { [NOW]: "2020-01-01" } }, ctx: {}, holds: true },
  { name: "BoolIfExists: missing holds", condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "true" } }, ctx: {}, holds: true },
  { name: "BoolIfExists: present false fails", condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "true" } }, ctx: { "aws:MultiFactorAuthPresent": "false" }, holds: false },
  { name: "IpAddressIfExists: missing holds", condition: { IpAddressIfExists: { [IP]: "10.0.0.0/8" } }, ctx: {}, holds: true },
  { name: "ArnLikeIfExists: present and matching holds", condition: { ArnLikeIfExists: { [CONN]: "arn:aws:apprunner:*:*:connection/*" } }, ctx: { [CONN]: "arn:aws:apprunner:us-east-1:1:connection/a" }, holds: true },
  { name: "BinaryEqualsIfExists: missing holds", condition: { BinaryEqualsIfExists: { "apprunner:Blob": "QQ==" } }, ctx: {}, holds: true },
]);

const KEYS = "aws:TagKeys";
table("ForAllValues and ForAnyValue", [
  { name: "ForAllValues: every request value allowed", condition: { "ForAllValues:StringEquals": { [KEYS]: ["env", "team"] } }, ctx: { [KEYS]: ["team", "env"] }, holds: true },
  { name: "ForAllValues: one value not allowed fails", condition: { "ForAllValues:StringEquals": { [KEYS]: ["env", "team"] } }, ctx: { [KEYS]: ["team", "owner"] }, holds: false },
  { name: "ForAllValues: a missing key holds", condition: { "ForAllValues:StringEquals": { [KEYS]: ["env"] } }, ctx: {}, holds: true },
  { name: "ForAllValues: an empty key holds", condition: { "ForAllValues:StringEquals": { [KEYS]: ["env"] } }, ctx: { [KEYS]: [] }, holds: true },
  { name: "ForAllValues:StringLike", condition: { "ForAllValues:StringLike": { [KEYS]: ["app-*"] } }, ctx: { [KEYS]: ["app-a", "app-b"] }, holds: true },
  { name: "ForAllValues:StringNotEquals: no value forbidden", condition: { "ForAllValues:StringNotEquals": { [KEYS]: ["owner"] } }, ctx: { [KEYS]: ["env", "team"] }, holds: true },
  { name: "ForAllValues:StringNotEquals: one forbidden value fails", condition: { "ForAllValues:StringNotEquals": { [KEYS]: ["owner"] } }, ctx: { [KEYS]: ["env", "owner"] }, holds: false },
  { name: "ForAnyValue: one value matches", condition: { "ForAnyValue:StringEquals": { [KEYS]: ["owner"] } }, ctx: { [KEYS]: ["env", "owner"] }, holds: true },
  { name: "ForAnyValue: no value matches", condition: { "ForAnyValue:StringEquals": { [KEYS]: ["owner"] } }, ctx: { [KEYS]: ["env"] }, holds: false },
  { name: "ForAnyValue: a missing key fails", condition: { "ForAnyValue:StringEquals": { [KEYS]: ["owner"] } }, ctx: {}, holds: false },
  { name: "ForAnyValue:StringNotEquals: some value is not forbidden", condition: { "ForAnyValue:StringNotEquals": { [KEYS]: ["owner"] } }, ctx: { [KEYS]: ["owner", "env"] }, holds: true },
  { name: "ForAnyValue:StringNotEquals: every value forbidden fails", condition: { "ForAnyValue:StringNotEquals": { [KEYS]: ["owner"] } }, ctx: { [KEYS]: ["owner"] }, holds: false },
  { name: "ForAnyValue:StringEqualsIgnoreCase", condition: { "ForAnyValue:StringEqualsIgnoreCase": { [KEYS]: ["OWNER"] } }, ctx: { [KEYS]: ["owner"] }, holds: true },
  { name: "ForAnyValue:...IfExists: a missing key holds", condition: { "ForAnyValue:StringEqualsIfExists": { [KEYS]: ["owner"] } }, ctx: {}, holds: true },
  { name: "ForAllValues:StringLikeIfExists: present and matching", condition: { "ForAllValues:StringLikeIfExists": { [KEYS]: ["app-*"] } }, ctx: { [KEYS]: ["app-1"] }, holds: true },
  { name: "unqualified operator on a multi-valued key: any value", condition: { StringEquals: { [KEYS]: "owner" } }, ctx: { [KEYS]: ["env", "owner"] }, holds: true },
  { name: "unqualified negated operator on a multi-valued key: none may match", condition: { StringNotEquals: { [KEYS]: "owner" } }, ctx: { [KEYS]: ["env", "owner"] }, holds: false },
  { name: "set operator names are case-insensitive", condition: { "forallvalues:StringEquals": { [KEYS]: ["env"] } }, ctx: { [KEYS]: ["env"] }, holds: true },
]);
