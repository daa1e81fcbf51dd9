/**
 * SigV4 verification alone, in this process: checkCredential + checkSignature per call on
 * DescribeService requests the AWS SDK's signer signed with an SDK's headers, each with its own
 * invocation id (so its own signature), five per X-Amz-Date second, built into heads beforehand;
 * and signedHeadOf alone on the same requests' raw headers. `--tree <checkout>` times another
 * built tree's code (its dist/ is imported) instead of this one's: to compare two, alternate
 * runs, one tree per process (in one process their shared call sites would skew each other).
 *
 *   node dist/bench/sigv4.js [--calls 200000] [--rounds 5] [--tree /path/to/other/checkout]
 */
import type { IncomingMessage } from "node:http";
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { CredentialLookup, VerifyOptions } from "../src/iam/sigv4/verify.js";
import * as ours from "../src/iam/sigv4/verify.js";
import * as oursHead from "../src/protocol/http/read-request.js";
import { ManualClock } from "../src/util/clock.js";
import { signRequest } from "../test/support/sigv4-signer.js";
import { positive } from "./lib/args.js";

const { values: args } = parseArgs({
  options: {
    calls: { type: "string", default: "200000" },
    rounds: { type: "string", default: "5" },
    tree: { type: "string" },
  },
});
const CALLS = positive("calls", args.calls);
const ROUNDS = positive("rounds", args.rounds);
const DISTINCT = 1000;

type Verifier = Pick<typeof ours, "checkCredential" | "checkSignature"> & Pick<typeof oursHead, "signedHeadOf">;

const KEY = { accessKeyId: "AKIAOPENRUNNERTEST01", secretAccessKey: "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNl" };
const keys: CredentialLookup = {
  find: (id) => (id === KEY.accessKeyId ? { secretAccessKey: KEY.secretAccessKey, principal: { accessKeyId: KEY.accessKeyId, accountId: "123456789012", arn: "arn:aws:iam::123456789012:root", type: "Root" } } : undefined),
};
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const BODY = JSON.stringify({ ServiceArn: "arn:aws:apprunner:us-east-1:123456789012:service/web/0123456789abcdef0123456789abcdef" });
const OPTIONS: VerifyOptions = { signingName: "apprunner", region: "us-east-1", clock: new ManualClock(NOW + 100_000), mustSign: ["x-amz-target", "content-type"] };

/** Flat one-byte strings, as Node's HTTP parser hands them over (a template's result is a cons string). */
const flat = (s: string): string => Buffer.from(s, "latin1").toString("latin1");
const capitalized = (name: string): string => name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());

async function requests(): Promise<IncomingMessage[]> {
  const out: IncomingMessage[] = [];
  for (let i = 0; i < DISTINCT; i++) {
    const signed = await signRequest({
      url: "http://127.0.0.1:8600/",
      body: BODY,
      headers: {
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": "AppRunner.DescribeService",
        "amz-sdk-invocation-id": randomUUID(),
        "amz-sdk-request": "attempt=1; max=3",
        "x-amz-user-agent": "aws-sdk-js/3.700.0",
        "user-agent": "aws-sdk-js/3.700.0 ua/2.1 os/linux#6.8.0 lang/js md/nodejs#20.20.2 api/apprunner#3.700.0 m/E",
        "content-length": String(Buffer.byteLength(BODY)),
      },
      credentials: KEY,
      signingDate: new Date(NOW + Math.floor(i / 5) * 1000),
    });
    const rawHeaders = Object.entries(signed.headers).flatMap(([name, value]) => [flat(capitalized(name)), flat(value)]);
    out.push({ method: "POST", url: "/", rawHeaders } as unknown as IncomingMessage);
  }
  return out;
}

/** µs per call of `run` over CALLS calls. */
function timed(run: (i: number) => void): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) run(i);
  return Number(process.hrtime.bigint() - t0) / 1000 / CALLS;
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function verifier(): Promise<{ name: string; v: Verifier }> {
  if (!args.tree) return { name: "this tree", v: { ...ours, ...oursHead } };
  const root = pathToFileURL(resolve(args.tree, "dist")).href;
  const verify = (await import(`${root}/src/iam/sigv4/verify.js`)) as typeof ours;
  const head = (await import(`${root}/src/protocol/http/read-request.js`)) as typeof oursHead;
  return { name: args.tree, v: { checkCredential: verify.checkCredential, checkSignature: verify.checkSignature, signedHeadOf: head.signedHeadOf } };
}

async function main(): Promise<void> {
  const { name, v } = await verifier();
  const reqs = await requests();
  const body = Buffer.from(BODY);
  const heads = reqs.map((r) => v.signedHeadOf(r));
  const verifyOne = (i: number): void => {
    const head = heads[i % DISTINCT];
    if (head) v.checkSignature(v.checkCredential(head, keys, OPTIONS), head, body);
  };
  const headOne = (i: number): void => {
    const req = reqs[i % DISTINCT];
    if (req && v.signedHeadOf(req).headers.size === 0) throw new Error("no headers");
  };
  for (let i = 0; i < DISTINCT; i++) verifyOne(i); // every request verifies before anything is timed
  timed(verifyOne); // warm-up
  const verify: number[] = [];
  const head: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    verify.push(timed(verifyOne));
    head.push(timed(headOne));
  }
  const fmt = (xs: number[]): string => `median ${median(xs).toFixed(2)} µs [${xs.map((x) => x.toFixed(2)).join(", ")}]`;
  console.log(`${name}\n  checkCredential + checkSignature: ${fmt(verify)}\n  signedHeadOf: ${fmt(head)}`);
}

await main();
