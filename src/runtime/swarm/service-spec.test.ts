import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DeploymentSpec } from "../driver.js";
import type { SwarmService } from "./engine-types.js";
import { buildServiceSpec, deploymentOf, initialReplicas, registryAuthHeaders, swarmServiceName, withReplicas, withRole } from "./service-spec.js";
import { LABELS } from "./types.js";

const spec = (extra: Partial<DeploymentSpec> = {}): DeploymentSpec => ({
  serviceId: "0123456789abcdef0123456789abcdef",
  serviceName: "web",
  serviceArn: "arn:aws:apprunner:us-east-1:000000000000:service/web/0123456789abcdef0123456789abcdef",
  deploymentId: "fedcba9876543210fedcba9876543210",
  operationId: "op1",
  image: { identifier: "reg.example/web:latest", digest: `sha256:${"a".repeat(64)}` },
  run: { Port: "3000" },
  instance: { Cpu: "1024", Memory: "2048" },
  healthCheck: { Protocol: "HTTP", Path: "/health" },
  autoScaling: { minSize: 1, maxSize: 5, maxConcurrency: 80 },
  hosts: ["web.example"],
  tracing: false,
  ...extra,
});

const pull = { reference: `reg.example/web@sha256:${"a".repeat(64)}` };
const build = (s: DeploymentSpec, replicas = 2) => buildServiceSpec({ spec: s, pull, owner: "orabc", network: "orabc", replicas, role: "starting" });

describe("buildServiceSpec", () => {
  it("names the service by owner, App Runner service and deployment", () => {
    assert.equal(build(spec()).Name, "orabc-0123456789ab-fedcba98");
    assert.equal(swarmServiceName("OrX", "ABCDEFGHIJKLMNOP", "QRSTUVWXYZ"), "orx-abcdefghijkl-qrstuvwx");
  });

  it("runs the image by digest with PORT and the environment, the start command as Args", () => {
    const c = build(spec({ run: { Port: "3000", StartCommand: "node 'server.js' --x=1", RuntimeEnvironmentVariables: { A: "1", PORT: "4000" } } })).TaskTemplate.ContainerSpec;
    assert.equal(c.Image, pull.reference);
    assert.deepEqual(c.Args, ["node", "server.js", "--x=1"]);
    assert.deepEqual(c.Env, ["PORT=4000", "A=1"]);
    assert.equal(c.StopGracePeriod, 5_000_000_000);
  });

  it("the version's secrets are the task's Env after the service's variables; labels hold neither values nor references", () => {
    const body = build(spec({ run: { Port: "3000", RuntimeEnvironmentVariables: { A: "1" }, RuntimeEnvironmentSecrets: { DB: "/app/db" } }, secrets: { DB: "s3cr3t-Value" } }));
    assert.deepEqual(body.TaskTemplate.ContainerSpec.Env, ["PORT=3000", "A=1", "DB=s3cr3t-Value"]);
    const labels = JSON.stringify([body.Labels, body.TaskTemplate.ContainerSpec.Labels]);
    assert.ok(!labels.includes("s3cr3t") && !labels.includes("/app/db"), labels);
  });

  it("stops tasks with the driver's grace period when it has one", () => {
    const body = buildServiceSpec({ spec: spec(), pull, owner: "orabc", network: "orabc", replicas: 1, role: "starting", stopGraceMs: 1_500 });
    assert.equal(body.TaskTemplate.ContainerSpec.StopGracePeriod, 1_500_000_000);
  });

  it("leaves the image's CMD alone without a start command", () => {
    assert.equal(build(spec()).TaskTemplate.ContainerSpec.Args, undefined);
  });

  const sizes: [string, string, number, number][] = [
    ["1024", "2048", 1_000_000_000, 2048 * 1024 * 1024],
    ["0.25 vCPU", "0.5 GB", 250_000_000, 512 * 1024 * 1024],
    ["4 vCPU", "12 GB", 4_000_000_000, 12 * 1024 * 1024 * 1024],
  ];
  for (const [cpu, memory, nano, bytes] of sizes) {
    it(`sizes ${cpu} / ${memory} as limits and reservations`, () => {
      const r = build(spec({ instance: { Cpu: cpu, Memory: memory } })).TaskTemplate.Resources;
      assert.deepEqual(r.Limits, { NanoCPUs: nano, MemoryBytes: bytes });
      assert.deepEqual(r.Reservations, r.Limits);
    });
  }

  it("restarts any exit, spreads over nodes, joins the overlay network, publishes the port in host mode without the routing mesh", () => {
    const s = build(spec());
    assert.deepEqual(s.TaskTemplate.RestartPolicy, { Condition: "any", Delay: 1_000_000_000 });
    assert.deepEqual(s.TaskTemplate.Placement, { Preferences: [{ Spread: { SpreadDescriptor: "node.id" } }] });
    assert.deepEqual(s.TaskTemplate.Networks, [{ Target: "orabc" }]);
    assert.deepEqual(s.Mode, { Replicated: { Replicas: 2 } });
    assert.deepEqual(s.EndpointSpec, { Mode: "dnsrr", Ports: [{ Protocol: "tcp", TargetPort: 3000, PublishMode: "host" }] });
  });

  it("labels the service (with role and settings) and its containers (without)", () => {
    const s = build(spec());
    assert.equal(s.Labels[LABELS.owner], "orabc");
    assert.equal(s.Labels[LABELS.role], "starting");
    assert.equal(s.TaskTemplate.ContainerSpec.Labels[LABELS.deploymentId], "fedcba9876543210fedcba9876543210");
    assert.equal(s.TaskTemplate.ContainerSpec.Labels[LABELS.role], undefined, "a role change must not restart tasks");
  });

});

describe("deploymentOf", () => {
  const service = (labels: Record<string, string>): SwarmService => ({ ID: "svc1", Version: { Index: 7 }, CreatedAt: "2026-01-01T00:00:00Z", Spec: { ...build(spec(), 3), Labels: labels } });
  const good = build(spec(), 3).Labels;

  it("reads a deployment back from its labels", () => {
    const d = deploymentOf(service(good), "orabc");
    assert.ok(d);
    assert.equal(d.swarmId, "svc1");
    assert.equal(d.version, 7);
    assert.equal(d.desired, 3);
    assert.equal(d.role, "starting");
    assert.equal(d.serviceName, "web");
    assert.deepEqual(d.settings, { image: spec().image, port: 3000, hosts: ["web.example"], tracing: false, minSize: 1, maxSize: 5, maxConcurrency: 80, healthCheck: { Protocol: "HTTP", Path: "/health" } });
  });

  const broken: [string, Record<string, string>][] = [
    ["another owner's", { ...good, [LABELS.owner]: "other" }],
    ["an unknown role", { ...good, [LABELS.role]: "boss" }],
    ["no deployment id", { ...good, [LABELS.deploymentId]: "" }],
    ["damaged settings", { ...good, [LABELS.settings]: "{" }],
  ];
  for (const [what, labels] of broken) {
    it(`ignores a service with ${what} labels`, () => assert.equal(deploymentOf(service(labels), "orabc"), undefined));
  }
});

describe("updates and sizes", () => {
  it("changes the role and replicas only", () => {
    const s = build(spec());
    const r = withRole(s, "serving");
    assert.equal(r.Labels[LABELS.role], "serving");
    assert.deepEqual(r.TaskTemplate, s.TaskTemplate);
    assert.deepEqual(withReplicas(s, 4).Mode, { Replicated: { Replicas: 4 } });
  });

  const replicas: [number, number, number | undefined, number][] = [
    [1, 5, undefined, 1],
    [2, 5, undefined, 2],
    [1, 5, 3, 3],
    [1, 2, 4, 2],
    [0, 5, 0, 1],
  ];
  for (const [minSize, maxSize, serving, want] of replicas) {
    it(`starts ${want} with min ${minSize}, max ${maxSize}, ${serving ?? "none"} serving`, () => {
      assert.equal(initialReplicas({ minSize, maxSize, maxConcurrency: 100 }, serving), want);
    });
  }

  it("sends private registry credentials as padded URL-safe base64 JSON, as Go's base64.URLEncoding reads it", () => {
    assert.deepEqual(registryAuthHeaders(pull), {});
    // 47 bytes of JSON: a length that needs padding, which the daemon cannot do without.
    const auth = { username: "u", password: "p+/?>", serveraddress: "reg.example" };
    assert.equal(JSON.stringify(auth).length % 3, 2);
    const header = registryAuthHeaders({ ...pull, auth })["X-Registry-Auth"] ?? "";
    assert.match(header, /^[A-Za-z0-9_-]+=*$/);
    assert.equal(header.length % 4, 0, "padded to whole 4-character groups");
    assert.deepEqual(JSON.parse(Buffer.from(header.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString()), auth);
  });
});
