/**
 * The policy engine's own cost (src/iam/policy): one evaluation for a principal with 10
 * policies of 10 statements each (issue 17), in process, no I/O. Two request mixes:
 *   - typical: App Runner, Logs, ECR and IAM calls of a CI user whose policies name several
 *     services, with conditions on tags (`${aws:username}`), the source IP, TLS and the time;
 *   - worst: every one of the 100 statements covers the action and none decides it early, so
 *     each statement's resource and conditions are checked (a cheap tag condition fails first);
 *   - wildcards: the same 100 statements without conditions, each resource a segment-wise ARN
 *     pattern that fails only in its last part: 100 pattern matches, the engine's floor.
 * Also the compile cost of one 10-statement document (what the authorizer's cache saves).
 *
 *   node dist/bench/iam-policy.js [--evaluations 2000000] [--reps 5] [--out results.json]
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { contextOf, evaluate, parsePolicy } from "../src/iam/policy/engine.js";
import type { CompiledPolicy, Decision, EvaluationRequest } from "../src/iam/policy/types.js";
import { machineFacts } from "./lib/machine.js";
import { fmt, markdownTable } from "./lib/stats.js";

const { values: args } = parseArgs({
  options: {
    evaluations: { type: "string", default: "2000000" },
    reps: { type: "string", default: "5" },
    out: { type: "string" },
  },
});
const EVALUATIONS = Number(args.evaluations);
const REPS = Number(args.reps);
for (const [name, v] of Object.entries({ EVALUATIONS, REPS })) {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} must be a positive integer`);
}

const ACCT = "111122223333";
const ARN = `arn:aws:apprunner:us-east-1:${ACCT}`;
const SERVICES = ["apprunner", "logs", "ecr", "events", "cloudwatch", "iam", "cloudtrail", "sts", "kms", "apprunner"];

/** Policy `p` of the typical principal: ten statements over one service each, some with conditions. */
function typicalPolicy(p: number): string {
  const svc = SERVICES[p] as string;
  const statements = [
    { Sid: "Read", Effect: "Allow", Action: [`${svc}:Describe*`, `${svc}:List*`, `${svc}:Get*`], Resource: "*" },
    { Sid: "OwnTeam", Effect: "Allow", Action: `${svc}:Update*`, Resource: `arn:aws:${svc}:*:${ACCT}:*/team-${p}-*` },
    { Sid: "Owner", Effect: "Allow", Action: `${svc}:Delete*`, Resource: "*", Condition: { StringEquals: { [`${svc}:ResourceTag/Owner`]: "${aws:username}" } } },
    { Sid: "Office", Effect: "Allow", Action: `${svc}:Create*`, Resource: "*", Condition: { IpAddress: { "aws:SourceIp": ["10.0.0.0/8", "203.0.113.0/24"] } } },
    { Sid: "Tls", Effect: "Deny", Action: `${svc}:*`, Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } },
    { Sid: "Until", Effect: "Allow", Action: `${svc}:Pause*`, Resource: "*", Condition: { DateLessThan: { "aws:CurrentTime": "2030-01-01T00:00:00Z" } } },
    { Sid: "Tags", Effect: "Allow", Action: `${svc}:TagResource`, Resource: "*", Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["Owner", "Team"] } } },
    { Sid: "Prod", Effect: "Deny", Action: `${svc}:Delete*`, Resource: `arn:aws:${svc}:*:*:*/prod-*` },
    { Sid: "Conn", Effect: "Allow", Action: `${svc}:CreateService`, Resource: "*", Condition: { ArnNotLike: { "apprunner:ConnectionArn": "arn:aws:apprunner:*:*:connection/prod/*" } } },
    { Sid: "Self", Effect: "Allow", Action: "iam:*AccessKey*", Resource: `arn:aws:iam::${ACCT}:user/\${aws:username}` },
  ];
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** Policy `p` of the worst case: every statement covers apprunner:*, none matches the resource or its condition. */
function worstPolicy(p: number): string {
  const statements = Array.from({ length: 10 }, (_, s) => ({
    Effect: s % 2 ? "Deny" : "Allow",
    Action: ["apprunner:*", "apprunner:Describe*"],
    Resource: [`arn:aws:apprunner:*:*:service/p${p}s${s}-*`, `arn:aws:apprunner:*:${ACCT}:service/*`],
    Condition: { StringEquals: { "apprunner:ResourceTag/Team": `team-${p}-${s}`, "aws:username": "${aws:username}" } },
  }));
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** Policy `p` of the wildcard mix: the worst policy's resources alone. */
function wildcardPolicy(p: number): string {
  const statements = Array.from({ length: 10 }, (_, s) => ({
    Effect: s % 2 ? "Deny" : "Allow",
    Action: "apprunner:*",
    Resource: `arn:aws:apprunner:*:*:service/p${p}s${s}-*`,
  }));
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

const context = contextOf({
  "aws:username": "ci-deploy",
  "aws:userid": "AIDAEXAMPLECIDEPLOY12",
  "aws:PrincipalArn": `arn:aws:iam::${ACCT}:user/ci-deploy`,
  "aws:SourceIp": "203.0.113.7",
  "aws:SecureTransport": "true",
  "aws:CurrentTime": "2026-12-05T10:00:00Z",
  "aws:TagKeys": ["Owner"],
  "apprunner:ResourceTag/Owner": "ci-deploy",
  "apprunner:ResourceTag/Team": "web",
});

const request = (action: string, resource: string): EvaluationRequest => ({ action, resource, context });
const TYPICAL: EvaluationRequest[] = [
  request("apprunner:DescribeService", `${ARN}:service/web/0123`),
  request("apprunner:ListServices", "*"),
  request("apprunner:DeleteService", `${ARN}:service/web/0123`),
  request("apprunner:CreateService", `${ARN}:service/web/0123`),
  request("logs:GetLogEvents", `arn:aws:logs:us-east-1:${ACCT}:log-group:/aws/apprunner/web/0123/application:log-stream:i-1`),
  request("ecr:BatchGetImage", `arn:aws:ecr:us-east-1:${ACCT}:repository/web`),
  request("iam:CreateUser", `arn:aws:iam::${ACCT}:user/eve`),
  request("apprunner:DeleteService", `${ARN}:service/prod-web/0123`),
];
const WORST: EvaluationRequest[] = [request("apprunner:DescribeService", `${ARN}:service/web/0123`)];

/** ns per evaluation over `n` evaluations cycling through the requests; the decisions are counted so none is optimised away. */
function measure(policies: readonly CompiledPolicy[], requests: readonly EvaluationRequest[], n: number): { ns: number; decisions: Record<Decision, number> } {
  const decisions: Record<Decision, number> = { Allow: 0, ExplicitDeny: 0, ImplicitDeny: 0 };
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) decisions[evaluate(policies, requests[i % requests.length] as EvaluationRequest)]++;
  return { ns: Number(process.hrtime.bigint() - start) / n, decisions };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** µs per compile of one document, after a warm-up (the authorizer compiles once per policy revision). */
function compileCost(texts: readonly string[]): number {
  const rounds = 10_000;
  for (let i = 0; i < 2000; i++) parsePolicy(texts[i % texts.length] as string, "identity");
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) parsePolicy(texts[i % texts.length] as string, "identity");
  return Number(process.hrtime.bigint() - start) / rounds / 1000;
}

const typical = Array.from({ length: 10 }, (_, p) => typicalPolicy(p));
const worst = Array.from({ length: 10 }, (_, p) => worstPolicy(p));
const mixes = [
  { name: "typical (8 calls, 5 services)", policies: typical.map((t) => parsePolicy(t, "identity")), requests: TYPICAL },
  { name: "worst (all 100 statements checked)", policies: worst.map((t) => parsePolicy(t, "identity")), requests: WORST },
  { name: "wildcards (100 ARN patterns matched)", policies: Array.from({ length: 10 }, (_, p) => parsePolicy(wildcardPolicy(p), "identity")), requests: WORST },
];

const rows: string[][] = [];
const results: Record<string, unknown>[] = [];
for (const mix of mixes) {
  measure(mix.policies, mix.requests, Math.min(EVALUATIONS, 200_000)); // warm-up: JIT and the action index
  const runs: number[] = [];
  let decisions: Record<Decision, number> = { Allow: 0, ExplicitDeny: 0, ImplicitDeny: 0 };
  for (let r = 0; r < REPS; r++) {
    const m = measure(mix.policies, mix.requests, EVALUATIONS);
    runs.push(m.ns);
    decisions = m.decisions;
  }
  rows.push([mix.name, fmt(median(runs), 0), fmt(Math.min(...runs), 0), fmt(Math.max(...runs), 0), JSON.stringify(decisions)]);
  results.push({ mix: mix.name, nsPerEvaluation: { median: median(runs), runs }, decisionsLastRun: decisions });
}
const compileUs = compileCost(typical);

console.log(`# IAM policy evaluation, 10 policies x 10 statements (${EVALUATIONS} evaluations x ${REPS} reps)\n`);
console.log(markdownTable(["request mix", "ns/evaluation (median)", "min", "max", "decisions (last rep)"], rows));
console.log(`\ncompile one 10-statement document (warm): ${fmt(compileUs, 1)} µs`);
if (args.out) writeFileSync(args.out, JSON.stringify({ machine: machineFacts(), evaluations: EVALUATIONS, reps: REPS, results, compileUs }, null, 2));
