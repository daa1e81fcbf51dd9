/**
 * What secrets and KMS cost, against one OpenRunner child (`openrunner up --runtime none`):
 * DescribeService (the floor every App Runner call pays), Secrets Manager GetSecretValue of a
 * secret under aws/secretsmanager and of one under a customer managed key, SSM GetParameter
 * WithDecryption of a SecureString, KMS Decrypt of a 4 KB ciphertext and KMS GenerateDataKey,
 * in alternating rows of the same run. Requests the SDKs signed (as the account's root) are
 * re-sent over plain node:http (the replay client; the server verifies every signature), so
 * the rows show the server's latency, not the SDK's. Then, in this process, what resolving a
 * deployment's RuntimeEnvironmentSecrets adds (bench/lib/secret-resolution.ts): 1, 10 and 50
 * references, ms per deployment.
 *
 *   node dist/bench/secrets.js [--requests 1000] [--warmup 1000] [--rounds 3] [--concurrency 1]
 *     [--reads 2000] [--out results.json] [--server-node-args="--cpu-prof --cpu-prof-dir=DIR"]
 *
 * --reads: secret reads per resolution row; a row of N references resolves max(20, reads / N)
 * deployments, so every row takes about as long.
 */
import { DescribeServiceCommand } from "@aws-sdk/client-apprunner";
import { CreateKeyCommand, DecryptCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { positive } from "./lib/args.js";
import { captureExchanges, type Exchange } from "./lib/capture.js";
import { runLoad } from "./lib/load.js";
import { machineFacts } from "./lib/machine.js";
import { benchClient, benchClientConfig, createServices, startOpenRunnerChild, type BenchOpenRunner } from "./lib/openrunner.js";
import { cpuTimeMs } from "./lib/proc-status.js";
import { replayClient } from "./lib/replay.js";
import { REFERENCE_KINDS, resolutionBench, type ReferenceKind, type ResolutionTiming } from "./lib/secret-resolution.js";
import { fmt, markdownTable, percentile, type LatencySummary } from "./lib/stats.js";

const { values: args } = parseArgs({
  options: {
    requests: { type: "string", default: "1000" },
    warmup: { type: "string", default: "1000" },
    rounds: { type: "string", default: "3" },
    concurrency: { type: "string", default: "1" },
    reads: { type: "string", default: "2000" },
    out: { type: "string" },
    "server-node-args": { type: "string" },
  },
});
const REQUESTS = positive("requests", args.requests);
const WARMUP = positive("warmup", args.warmup);
const ROUNDS = positive("rounds", args.rounds);
const CONCURRENCY = positive("concurrency", args.concurrency);
const READS = positive("reads", args.reads);
const REFERENCE_COUNTS = [1, 10, 50] as const;

const CALLS = [
  "DescribeService",
  "GetSecretValue (aws/secretsmanager)",
  "GetSecretValue (customer managed key)",
  "GetParameter WithDecryption (SecureString, aws/ssm)",
  "KMS Decrypt (4 KB)",
  "KMS GenerateDataKey (AES_256)",
] as const;
type Call = (typeof CALLS)[number];
const BASELINE: Call = "DescribeService";

interface Row extends LatencySummary {
  call: Call;
  round: number;
  serverCpuUsPerRequest: number;
}

interface ResolutionRow extends ResolutionTiming {
  kind: ReferenceKind;
  references: number;
  round: number;
}

const median = (values: readonly number[]): number => percentile([...values].sort((a, b) => a - b), 50);
const signed = (us: number, digits = 0): string => `${us >= 0 ? "+" : ""}${fmt(us, digits)}`;

/** The resources each call reads, made through the SDKs as a user would, and one signed exchange per call. */
async function workload(or: BenchOpenRunner): Promise<Record<Call, Exchange>> {
  const config = benchClientConfig(or.endpoint, or.credentials, 1);
  const apprunner = benchClient(or.endpoint, or.credentials, 1);
  const kms = new KMSClient(config);
  const sm = new SecretsManagerClient(config);
  const ssm = new SSMClient(config);
  try {
    const [serviceArn = ""] = await createServices(apprunner, 1);
    const key = await kms.send(new CreateKeyCommand({ Description: "bench secrets" }));
    const keyId = key.KeyMetadata?.KeyId ?? "";
    const password = JSON.stringify({ username: "app", password: randomBytes(18).toString("base64"), host: "db.internal", port: 5432 });
    const managed = await sm.send(new CreateSecretCommand({ Name: "bench/db-managed", SecretString: password }));
    const customer = await sm.send(new CreateSecretCommand({ Name: "bench/db-cmk", SecretString: password, KmsKeyId: keyId }));
    await ssm.send(new PutParameterCommand({ Name: "/bench/db-password", Type: "SecureString", Value: password }));
    const blob = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: randomBytes(4096) }));

    // Each client's next call is captured: signed as it goes on the wire, with the server's answer.
    const a = captureExchanges(apprunner);
    const k = captureExchanges(kms);
    const s = captureExchanges(sm);
    const p = captureExchanges(ssm);
    await apprunner.send(new DescribeServiceCommand({ ServiceArn: serviceArn }));
    const describe = a.last();
    await sm.send(new GetSecretValueCommand({ SecretId: managed.ARN }));
    const getManaged = s.last();
    await sm.send(new GetSecretValueCommand({ SecretId: customer.ARN }));
    const getCustomer = s.last();
    await ssm.send(new GetParameterCommand({ Name: "/bench/db-password", WithDecryption: true }));
    const getParameter = p.last();
    await kms.send(new DecryptCommand({ CiphertextBlob: blob.CiphertextBlob }));
    const decrypt = k.last();
    await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: "AES_256" }));
    const dataKey = k.last();
    return {
      DescribeService: describe,
      "GetSecretValue (aws/secretsmanager)": getManaged,
      "GetSecretValue (customer managed key)": getCustomer,
      "GetParameter WithDecryption (SecureString, aws/ssm)": getParameter,
      "KMS Decrypt (4 KB)": decrypt,
      "KMS GenerateDataKey (AES_256)": dataKey,
    };
  } finally {
    for (const c of [apprunner, kms, sm, ssm]) c.destroy();
  }
}

/** Rows of every call, alternating call by call within each round so a noisy moment hits all alike. */
async function serverRows(or: BenchOpenRunner, exchanges: Record<Call, Exchange>): Promise<Row[]> {
  const replay = replayClient(or.endpoint, CONCURRENCY);
  try {
    const rows: Row[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const call of CALLS) {
        const req = exchanges[call].request;
        const send = (): Promise<void> => replay.send(req);
        await runLoad(send, { concurrency: CONCURRENCY, requests: round === 1 ? WARMUP : Math.ceil(WARMUP / 5) });
        const cpu = cpuTimeMs(or.server.pid);
        const summary = await runLoad(send, { concurrency: CONCURRENCY, requests: REQUESTS });
        rows.push({ call, round, ...summary, serverCpuUsPerRequest: ((cpuTimeMs(or.server.pid) - cpu) * 1000) / summary.requests });
      }
    }
    return rows;
  } finally {
    replay.destroy();
  }
}

/** The resolver in this process: each reference count and kind per round, alternating like the server rows. */
async function resolutionRows(): Promise<ResolutionRow[]> {
  const most = Math.max(...REFERENCE_COUNTS);
  const bench = resolutionBench(most);
  try {
    const rows: ResolutionRow[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const references of REFERENCE_COUNTS) {
        for (const kind of REFERENCE_KINDS) {
          // About the same number of reads per row whatever the count, so a row of 50 does not take 50 times as long.
          const deployments = Math.max(20, Math.ceil(READS / references));
          const t = await bench.time(bench.references(kind, references), deployments, round === 1 ? Math.ceil(deployments / 2) : Math.ceil(deployments / 10));
          rows.push({ kind, references, round, ...t });
        }
      }
    }
    return rows;
  } finally {
    bench.close();
  }
}

async function main(): Promise<void> {
  const machine = machineFacts();
  let or: BenchOpenRunner | undefined;
  let rows: Row[] = [];
  let exchanges: Record<Call, Exchange> | undefined;
  try {
    or = await startOpenRunnerChild(args["server-node-args"]?.split(/\s+/).filter(Boolean) ?? []);
    exchanges = await workload(or);
    rows = await serverRows(or, exchanges);
  } finally {
    await or?.close();
  }
  const resolution = await resolutionRows();

  const med = (call: Call, f: (r: Row) => number): number => median(rows.filter((r) => r.call === call).map(f));
  const baseP50 = med(BASELINE, (r) => r.p50);
  const baseCpu = med(BASELINE, (r) => r.serverCpuUsPerRequest);
  const table = markdownTable(
    ["call", "response bytes", "p50 ms", "p99 ms", "req/s", "server CPU µs/req", "p50 over DescribeService µs", "CPU over DescribeService µs"],
    CALLS.map((c) => [
      c,
      String(Buffer.byteLength(exchanges?.[c].responseBody ?? "")),
      fmt(med(c, (r) => r.p50), 3),
      fmt(med(c, (r) => r.p99), 3),
      fmt(med(c, (r) => r.throughput), 0),
      fmt(med(c, (r) => r.serverCpuUsPerRequest), 0),
      c === BASELINE ? "—" : signed((med(c, (r) => r.p50) - baseP50) * 1000),
      c === BASELINE ? "—" : signed(med(c, (r) => r.serverCpuUsPerRequest) - baseCpu),
    ]),
  );
  const rmed = (kind: ReferenceKind, n: number, f: (r: ResolutionRow) => number): number => median(resolution.filter((r) => r.kind === kind && r.references === n).map(f));
  const resolutionTable = markdownTable(
    ["references", ...REFERENCE_COUNTS.map((n) => `${n}: p50 / p99 / CPU ms`), "per reference µs (at 50: p50, CPU)"],
    REFERENCE_KINDS.map((kind) => [
      kind,
      ...REFERENCE_COUNTS.map((n) => `${fmt(rmed(kind, n, (r) => r.p50), 3)} / ${fmt(rmed(kind, n, (r) => r.p99), 2)} / ${fmt(rmed(kind, n, (r) => r.cpuMean), 3)}`),
      `${fmt((rmed(kind, 50, (r) => r.p50) * 1000) / 50, 0)}, ${fmt((rmed(kind, 50, (r) => r.cpuMean) * 1000) / 50, 0)}`,
    ]),
  );
  process.stdout.write(
    `## Secrets and KMS (${machine.date})\n\n` +
      `node ${machine.node}, ${machine.nproc} CPUs (${machine.cpuModel}); replay client, concurrency ${CONCURRENCY}, ` +
      `${ROUNDS} rounds of ${REQUESTS} requests per call (medians of the rounds), as the account's root.\n\n${table}\n\n` +
      `A deployment's secret resolution, in process (createRuntimeSecretResolver, real readers, KMS and authorizer, in-memory store), ms per deployment (wall p50 and p99; CPU: the process's CPU time per deployment, mean), medians of ${ROUNDS} rounds:\n\n${resolutionTable}\n`,
  );
  if (args.out) {
    const config = { requests: REQUESTS, warmup: WARMUP, rounds: ROUNDS, concurrency: CONCURRENCY, reads: READS };
    writeFileSync(args.out, `${JSON.stringify({ machine, config, rows, resolution }, null, 2)}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`secrets: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
