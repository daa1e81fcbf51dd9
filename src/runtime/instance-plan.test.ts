import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ImageRunConfig } from "../images/types.js";
import type { DeploymentSpec } from "./driver.js";
import { cpuMillicores, makeInstancePlan, memoryBytes } from "./instance-plan.js";
import { splitCommand } from "./split-command.js";

const image: ImageRunConfig = {
  entrypoint: [],
  cmd: ["node", "server.js"],
  env: ["PATH=/usr/bin:/bin", "NODE_ENV=production"],
  workingDir: "/app",
  user: "1000",
  exposedPorts: [3000],
};

function spec(imageConfiguration: Record<string, unknown> = {}, instance: Record<string, string> = {}): DeploymentSpec {
  return {
    serviceId: "s",
    serviceName: "n",
    serviceArn: "arn",
    deploymentId: "d",
    operationId: "o",
    image: { identifier: "x", digest: `sha256:${"0".repeat(64)}` },
    run: imageConfiguration,
    instance,
    healthCheck: {},
    autoScaling: { minSize: 1, maxSize: 25, maxConcurrency: 100 },
    hosts: ["abcdefghij.us-east-1.openrunner.localhost"],
    tracing: false,
  };
}

describe("makeInstancePlan", () => {
  it("runs the image's command with PORT 8080 and App Runner's default 1 vCPU / 2 GB", () => {
    const p = makeInstancePlan(spec(), image);
    assert.deepEqual(p.args, ["node", "server.js"]);
    assert.deepEqual(p.env, ["PATH=/usr/bin:/bin", "NODE_ENV=production", "PORT=8080"]);
    assert.equal(p.cwd, "/app");
    assert.equal(p.port, 8080);
    assert.equal(p.cpuMillicores, 1000);
    assert.equal(p.memoryBytes, 2048 * 1024 * 1024);
  });

  it("StartCommand replaces CMD and keeps ENTRYPOINT; service variables override the image's", () => {
    const p = makeInstancePlan(
      spec({ StartCommand: "python -m 'http server'", Port: "3000", RuntimeEnvironmentVariables: { NODE_ENV: "dev", A: "1" } }),
      { ...image, entrypoint: ["/entry.sh"] },
    );
    assert.deepEqual(p.args, ["/entry.sh", "python", "-m", "http server"]);
    assert.deepEqual(p.env, ["PATH=/usr/bin:/bin", "NODE_ENV=dev", "PORT=3000", "A=1"]);
  });

  it("refuses what it cannot run, with the reason", () => {
    assert.throws(() => makeInstancePlan(spec({ Port: "70000" }), image), /not a valid TCP port/);
    assert.throws(() => makeInstancePlan(spec(), { ...image, cmd: [] }), /nothing to run/);
  });

  it("the version's resolved secrets become variables, over the image's; the references never do", () => {
    const references = { DB_PASSWORD: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf", NODE_ENV: "/app/env" };
    const table: [name: string, secrets: Record<string, string> | undefined, env: string[]][] = [
      ["no secrets", undefined, ["PATH=/usr/bin:/bin", "NODE_ENV=production", "PORT=8080", "A=1"]],
      ["none resolved", {}, ["PATH=/usr/bin:/bin", "NODE_ENV=production", "PORT=8080", "A=1"]],
      [
        "a secret and one the image also sets",
        { DB_PASSWORD: "s3cr3t", NODE_ENV: "from-ssm" },
        ["PATH=/usr/bin:/bin", "NODE_ENV=from-ssm", "PORT=8080", "A=1", "DB_PASSWORD=s3cr3t"],
      ],
      ["an empty value", { DB_PASSWORD: "" }, ["PATH=/usr/bin:/bin", "NODE_ENV=production", "PORT=8080", "A=1", "DB_PASSWORD="]],
    ];
    for (const [name, secrets, env] of table) {
      const s = { ...spec({ RuntimeEnvironmentVariables: { A: "1" }, RuntimeEnvironmentSecrets: references }), ...(secrets ? { secrets } : {}) };
      assert.deepEqual(makeInstancePlan(s, image).env, env, name);
    }
  });

  it("converts CPU and memory in both notations", () => {
    const table: [string, number][] = [
      ["0.25 vCPU", 250],
      ["256", 250],
      ["1 vCPU", 1000],
      ["4096", 4000],
    ];
    for (const [cpu, millis] of table) assert.equal(cpuMillicores(cpu), millis, cpu);
    assert.equal(memoryBytes("0.5 GB"), 512 * 1024 * 1024);
    assert.equal(memoryBytes("3072"), 3072 * 1024 * 1024);
  });
});

describe("splitCommand", () => {
  const table: [string, string[]][] = [
    ["node server.js", ["node", "server.js"]],
    ["  a   b  ", ["a", "b"]],
    [`sh -c 'echo "$PORT"'`, ["sh", "-c", 'echo "$PORT"']],
    [`echo "a \\"b\\" c" d\\ e`, ["echo", 'a "b" c', "d e"]],
    [`x ''`, ["x", ""]],
  ];
  for (const [input, expected] of table) it(`splits ${input}`, () => assert.deepEqual(splitCommand(input), expected));
  it("refuses an unterminated quote", () => assert.throws(() => splitCommand("echo 'a"), /unterminated/));
});
