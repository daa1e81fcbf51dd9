/**
 * What a deployment's secrets cost it, in this process: the resolver the engine calls
 * (createRuntimeSecretResolver) with Secrets Manager's and Parameter Store's real readers, the
 * real authorizer and the real KMS key service (key material sealed under a master key), over an
 * in-memory SQLite store, as src/engine/secrets and the readers' tests build them. The values are
 * written as the APIs write them (addVersion, Parameters.seal): envelopes under
 * aws/secretsmanager, a customer managed key, or aws/ssm.
 *
 * Left out: the audit record of each read (the server's recordApiCall; `record` is not set
 * here) and the deployment's own work around the resolution.
 */
import { performance } from "node:perf_hooks";
import { createRuntimeSecretResolver } from "../../src/engine/secrets/resolver.js";
import type { RuntimeSecretResolver } from "../../src/domain/runtime-secrets.js";
import { createAuthorizer } from "../../src/iam/authorizer.js";
import type { Principal } from "../../src/iam/principal.js";
import { SecretBox } from "../../src/iam/secret-box.js";
import { createKeyService } from "../../src/keys/create-key-service.js";
import { secretArn } from "../../src/secrets-manager/names.js";
import { secretsManagerReader } from "../../src/secrets-manager/reader.js";
import { AWSCURRENT } from "../../src/secrets-manager/stages.js";
import { addVersion } from "../../src/secrets-manager/versions.js";
import { Parameters } from "../../src/ssm/parameters.js";
import { parameterReader } from "../../src/ssm/reader.js";
import { SecretStore } from "../../src/store/secrets/secret-store.js";
import { Store } from "../../src/store/store.js";
import { systemClock } from "../../src/util/clock.js";
import { cryptoRandom, uuid } from "../../src/util/random.js";
import { role, roleDirectory } from "../../test/support/iam-fakes.js";
import { percentile } from "./stats.js";

const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const SERVICE_ARN = `arn:aws:apprunner:${REGION}:${ACCOUNT}:service/bench-secrets/0123456789abcdef0123456789abcdef`;
const ROOT: Principal = { accessKeyId: "AKIABENCHROOT0000000", accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, type: "Root" };
const INSTANCE_ROLE = role("bench-instance", {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "tasks.apprunner.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
/** The instance role's one policy, as a user would write it for an app that reads its secrets. */
const INSTANCE_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:*` },
    { Effect: "Allow", Action: "ssm:GetParameters", Resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/bench/*` },
    { Effect: "Allow", Action: "kms:Decrypt", Resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/*` },
  ],
});

/** Which store a deployment's references point into. */
export type ReferenceKind = "secret, aws/secretsmanager" | "secret, customer managed key" | "SecureString, aws/ssm" | "mixed (a third each)";
export const REFERENCE_KINDS: readonly ReferenceKind[] = ["secret, aws/secretsmanager", "secret, customer managed key", "SecureString, aws/ssm", "mixed (a third each)"];

export interface ResolutionBench {
  /** `count` references of `kind`, as a service's RuntimeEnvironmentSecrets holds them (each its own secret or parameter). */
  references(kind: ReferenceKind, count: number): Record<string, string>;
  /** `deployments` resolutions of `references` after `warmup`: wall time per deployment (ms), and this process's CPU time per deployment (ms, mean). */
  time(references: Readonly<Record<string, string>>, deployments: number, warmup: number): Promise<ResolutionTiming>;
  close(): void;
}

export interface ResolutionTiming {
  p50: number;
  p99: number;
  mean: number;
  /** CPU (user + system) of the whole process per deployment: unlike the wall times, not stretched by other work on the machine. */
  cpuMean: number;
}

/** An in-memory store with `perKind` secrets or parameters of each kind, and the resolver over it. */
export function resolutionBench(perKind: number): ResolutionBench {
  const store = Store.open(":memory:");
  const clock = systemClock;
  const random = cryptoRandom;
  const authorizer = createAuthorizer({
    policies: { policiesOf: (p) => (p.role ? [{ id: "inline:role:bench-instance:secrets", document: INSTANCE_POLICY }] : []), principalTags: () => ({}), revision: () => 1 },
    resourceTags: (arn) => store.tags.record(arn),
    accountId: ACCOUNT,
    region: REGION,
  });
  const keys = createKeyService({ store, box: SecretBox.fromKey(random.bytes(32)), authorizer, clock, random, accountId: ACCOUNT, region: REGION });
  const cmk = keys.createKey({ description: "bench secrets" });
  const here = { region: REGION, accountId: ACCOUNT };
  const secrets = new SecretStore(store.db, REGION);
  const parameters = new Parameters({ store, keys, place: here });
  const caller = { principal: ROOT, call: { sourceIp: "127.0.0.1", secureTransport: true, time: clock.now() } };

  // A database password as apps keep it: a small JSON document.
  const value = (i: number): string => JSON.stringify({ username: `app-${i}`, password: random.bytes(18).toString("base64"), host: "db.internal", port: 5432 });
  const putSecret = (name: string, kmsKeyId: string | undefined): string => {
    const arn = secretArn(REGION, ACCOUNT, name, random.bytes(3).toString("hex"));
    secrets.insert({ arn, name, description: undefined, kmsKeyId, createdAt: clock.now() });
    const row = secrets.byArn(arn);
    if (!row) throw new Error(`secret ${name} was not stored`);
    addVersion(secrets, keys, caller, row, kmsKeyId, { versionId: uuid(random), value: { type: "SecretString", bytes: Buffer.from(value(0)) }, stages: [AWSCURRENT] }, clock.now());
    return arn;
  };
  const putParameter = (name: string): string => {
    const stored = parameters.seal(name, 1, "SecureString", value(1), undefined, ROOT, caller.call);
    store.parameters.putVersion({ name, version: 1, type: "SecureString", keyId: undefined, description: undefined, allowedPattern: undefined, tier: "Standard", dataType: "text", value: stored, modifiedAt: clock.now(), modifiedUser: ROOT.arn });
    return parameters.arn(name);
  };
  const pools: Record<Exclude<ReferenceKind, "mixed (a third each)">, string[]> = {
    "secret, aws/secretsmanager": Array.from({ length: perKind }, (_, i) => putSecret(`bench/managed-${i}`, undefined)),
    "secret, customer managed key": Array.from({ length: perKind }, (_, i) => putSecret(`bench/cmk-${i}`, cmk.arn)),
    "SecureString, aws/ssm": Array.from({ length: perKind }, (_, i) => putParameter(`/bench/param-${i}`)),
  };
  const singleKinds = Object.keys(pools) as (keyof typeof pools)[];

  const resolver: RuntimeSecretResolver = createRuntimeSecretResolver({
    roles: roleDirectory([INSTANCE_ROLE]),
    clock,
    accountId: ACCOUNT,
    secrets: secretsManagerReader({ secrets, keys, authorizer, clock, random, here }),
    parameters: parameterReader({ parameters, authorizer, clock, random }),
  });

  return {
    references(kind, count) {
      if (count > perKind) throw new Error(`only ${perKind} secrets of each kind were made; asked ${count}`);
      const refs: Record<string, string> = {};
      for (let i = 0; i < count; i++) {
        const from = kind === "mixed (a third each)" ? singleKinds[i % singleKinds.length] : kind;
        const pool = from === undefined ? undefined : pools[from];
        refs[`SECRET_${i}`] = pool?.[i] ?? "";
      }
      return refs;
    },
    async time(references, deployments, warmup) {
      const once = async (): Promise<void> => {
        const values = await resolver.resolve({ serviceArn: SERVICE_ARN, instanceRoleArn: INSTANCE_ROLE.arn, references });
        if (Object.keys(values).length !== Object.keys(references).length) throw new Error("the resolver answered fewer values than asked");
      };
      for (let i = 0; i < warmup; i++) await once();
      const ms: number[] = [];
      const cpu = process.cpuUsage();
      for (let i = 0; i < deployments; i++) {
        const start = performance.now();
        await once();
        ms.push(performance.now() - start);
      }
      const used = process.cpuUsage(cpu);
      const sorted = ms.sort((a, b) => a - b);
      return {
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        mean: sorted.reduce((s, v) => s + v, 0) / sorted.length,
        cpuMean: (used.user + used.system) / 1000 / deployments,
      };
    },
    close: () => store.close(),
  };
}
