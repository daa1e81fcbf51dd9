import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { SecretBox } from "../../iam/secret-box.js";
import { RuntimeRecords, type DeploymentRecord } from "./records.js";

const dir = mkdtempSync(join(tmpdir(), "openrunner-records-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const record = (deploymentId: string): DeploymentRecord => ({
  deploymentId,
  serviceId: "s1",
  serviceName: "web",
  serviceArn: "arn:aws:apprunner:us-east-1:123456789012:service/web/s1",
  operationId: "op1",
  imageIdentifier: "127.0.0.1:5000/web:v1",
  resolvedDigest: `sha256:${"1".repeat(64)}`,
  manifestDigest: `sha256:${"2".repeat(64)}`,
  imageRootfs: "/images/unpacked/2/rootfs",
  plan: { args: ["/app/run"], env: ["PATH=/bin", "PORT=8080", "LOG_LEVEL=plain-Vx9q", "DB_PASSWORD=secret-Jq7Lw2"], cwd: "/", user: "", port: 8080, cpuMillicores: 1000, memoryBytes: 1 << 30, pidsLimit: 4096 },
  uid: 0,
  gid: 0,
  healthCheck: {},
  desired: 1,
  minSize: 1,
  maxSize: 1,
  maxConcurrency: 100,
  hosts: ["web.example"],
  tracing: false,
  role: "starting",
  createdAt: 1,
});

describe("deployment records keep the instances' environment sealed", () => {
  const box = SecretBox.fromKey(Buffer.alloc(32, 7));
  const runtimeDir = join(dir, "runtime");
  const records = new RuntimeRecords(runtimeDir, join(runtimeDir, "instances"), box);
  const file = (id: string): string => join(runtimeDir, "deployments", `${id}.json`);

  it("the file holds neither a secret's value nor a variable's, and reads back whole", () => {
    records.saveDeployment(record("d1"));
    const text = readFileSync(file("d1"), "utf8");
    for (const clear of ["secret-Jq7Lw2", "plain-Vx9q", "DB_PASSWORD", "LOG_LEVEL"]) assert.ok(!text.includes(clear), `${clear} in ${text}`);
    assert.deepEqual(records.deployment("d1"), record("d1"));
    assert.deepEqual(records.deployments(), [record("d1")]);
  });

  it("a sealed environment opens only under its own key and for its own deployment", () => {
    const other = new RuntimeRecords(runtimeDir, join(runtimeDir, "instances"), SecretBox.fromKey(Buffer.alloc(32, 8)));
    assert.throws(() => other.deployment("d1"), /does not open/);
    // The sealed environment of d1 copied into d2's record does not open there.
    const stored = JSON.parse(readFileSync(file("d1"), "utf8")) as Record<string, unknown>;
    writeFileSync(file("d2"), JSON.stringify({ ...stored, deploymentId: "d2" }));
    assert.throws(() => records.deployment("d2"), /does not open/);
    rmSync(file("d2"));
  });

  it("a record written in clear before sealing existed still reads, and is sealed at start", () => {
    const clear = record("d3");
    writeFileSync(file("d3"), JSON.stringify(clear));
    assert.deepEqual(records.deployment("d3"), clear);
    records.sealClearRecords();
    assert.ok(!readFileSync(file("d3"), "utf8").includes("secret-Jq7Lw2"));
    assert.deepEqual(records.deployment("d3"), clear);
  });
});
