import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { CreateServiceCommand, TagResourceCommand, UpdateServiceCommand, type Service } from "@aws-sdk/client-apprunner";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import type { RolloutWire } from "../src/api/openrunner/describe-rollout.js";
import { GRADUAL_ROLLOUT_TAG } from "../src/domain/gradual-rollout.js";
import { VERSION_COOKIE } from "../src/router/traffic-split.js";
import { pushFailingApp, pushHelloApp } from "./support/app-images.js";
import { awsJsonCall } from "./support/aws-json-call.js";
import { CLI, eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { freePort, viaRouter, type RouterReply } from "./support/router-client.js";
import { newClients, steadyLoad } from "./support/rollout-load.js";
import { randomAddressBlock, waitForOperation, waitForStatus } from "./support/runtime-fixture.js";

const run = promisify(execFile);

/** One step of 15 s (promoted after it); a version past 5% of 5xx over at least 5 responses goes back. */
const SETTINGS = "steps=10 interval=15s window=15s min-requests=5 max-5xx=5 max-p99=10s";

describe("gradual rollout: a share of new clients, sticky by cookie, promoted after its steps, or back by itself on 5xx", () => {
  let registry: TestRegistry | undefined;
  let server: InProcessServer;
  let logs: CloudWatchLogsClient;
  let httpPort = 0;
  let service: Service;

  const arn = (): string => service.ServiceArn ?? "";
  const get = (headers: Record<string, string> = {}): Promise<RouterReply> => viaRouter({ port: httpPort, host: service.ServiceUrl ?? "", headers, timeoutMs: 30_000 });
  const describeRollout = async (): Promise<RolloutWire | undefined> => {
    const out = await awsJsonCall(server.running.endpoint, server.running.rootKey, "openrunner", "DescribeRollout", JSON.stringify({ ServiceArn: arn() }));
    assert.equal(out.status, 200, JSON.stringify(out.body));
    return out.body.Rollout as RolloutWire | undefined;
  };
  const update = async (tag: string): Promise<string> => {
    const out = await server.client.send(
      new UpdateServiceCommand({ ServiceArn: arn(), SourceConfiguration: { ImageRepository: { ImageIdentifier: `${registry?.host ?? ""}/hello:${tag}`, ImageRepositoryType: "ECR_PUBLIC" } } }),
    );
    return out.OperationId ?? "";
  };
  const events = async (): Promise<string[]> => {
    const group = `/aws/apprunner/${service.ServiceName ?? ""}/${service.ServiceId ?? ""}/service`;
    const out = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "events", startFromHead: true }));
    return (out.events ?? []).map((e) => e.message ?? "");
  };

  before(async () => {
    httpPort = await freePort();
    server = await startInProcess({
      localRuntime: { addressBlock: randomAddressBlock(), stopGraceMs: 1000, imagePollMs: 0, superviseMs: 250, router: { httpPort, httpsPort: 0 }, rolloutMinIntervalMs: 1000 },
    });
    logs = new CloudWatchLogsClient({ endpoint: server.running.endpoint, region: server.running.config.region, credentials: server.running.rootKey, maxAttempts: 1 });
    registry = await startRegistry();
    await Promise.all([pushHelloApp(registry.host, "hello", "v1", "v1"), pushHelloApp(registry.host, "hello", "v2", "v2"), pushFailingApp(registry.host, "hello", "broken")]);
    const out = await server.client.send(
      new CreateServiceCommand({
        ServiceName: "roll-me",
        SourceConfiguration: { AutoDeploymentsEnabled: false, ImageRepository: { ImageIdentifier: `${registry.host}/hello:v1`, ImageRepositoryType: "ECR_PUBLIC" } },
        InstanceConfiguration: { Cpu: "0.25 vCPU", Memory: "0.5 GB" },
        Tags: [{ Key: GRADUAL_ROLLOUT_TAG, Value: SETTINGS }],
      }),
    );
    service = await waitForStatus(server.client, out.Service?.ServiceArn ?? "", "RUNNING");
    assert.equal((await get()).body.trim(), "v1");
  });

  after(async () => {
    logs?.destroy();
    await server?.close();
    await registry?.stop();
  });

  it("refuses a tag value it would not apply, naming the setting and its bounds (TagResource)", async () => {
    await assert.rejects(
      server.client.send(new TagResourceCommand({ ResourceArn: arn(), Tags: [{ Key: GRADUAL_ROLLOUT_TAG, Value: "steps=50/10" }] })),
      (err: Error) => err.name === "InvalidRequestException" && /steps must be increasing percentages from 1 to 99/.test(err.message),
    );
    assert.equal(await describeRollout(), undefined, "a creation is not rolled out gradually: nothing to describe yet");
  });

  const listDeployments = async (): Promise<{ DeploymentId: string; Serving: boolean }[]> => {
    const out = await awsJsonCall(server.running.endpoint, server.running.rootKey, "openrunner", "ListServiceDeployments", JSON.stringify({ ServiceArn: arn() }));
    assert.equal(out.status, 200, JSON.stringify(out.body));
    return out.body.Deployments as { DeploymentId: string; Serving: boolean }[];
  };

  it("a rollout at 10% sends about a tenth of new clients to the new version, keeps each client's version by cookie, then promotes it", async (t) => {
    const operationId = await update("v2");
    // The new version starts, passes its health check, then takes 10% of new clients.
    const rollout = await eventually(async () => {
      const r = await describeRollout();
      return r?.Status === "IN_PROGRESS" && r.Percent === 10 ? r : undefined;
    }, 60_000);
    assert.equal(rollout.OperationId, operationId);
    // Deployments are named as ListServiceDeployments and RollbackService name them: by their operation.
    assert.equal(rollout.DeploymentId, operationId);
    const servingBefore = (await listDeployments()).find((d) => d.Serving)?.DeploymentId;
    assert.equal(rollout.PreviousDeploymentId, servingBefore);
    assert.deepEqual(rollout.Settings, { Steps: [10], IntervalSeconds: 15, Max5xxPercent: 5, MaxP99Millis: 10_000, WindowSeconds: 15, MinRequests: 5 });
    // 300 requests without cookies, 4 at a time: each one a new client.
    const { bodies, cookies } = await newClients(get, 300, 4);
    const toNew = bodies.filter((b) => b === "v2").length;
    t.diagnostic(`${toNew} of ${bodies.length} new clients went to the new version`);
    assert.ok(toNew >= 9 && toNew <= 75, `3-25% of 300 new clients went to the new version: ${toNew}`);
    assert.equal(toNew + bodies.filter((b) => b === "v1").length, bodies.length);
    // Sticky: each client's cookie names its version, and keeps it there.
    for (const [version, cookie] of cookies) {
      assert.match(cookie, new RegExp(`^${VERSION_COOKIE}=[0-9a-f]{32}$`));
      for (let i = 0; i < 10; i++) assert.equal((await get({ cookie })).body.trim(), version, `a client with ${cookie} stays on ${version}`);
    }
    assert.equal(cookies.size, 2, "both versions handed out their cookie");
    const op = await waitForOperation(server.client, arn(), operationId);
    assert.equal(op.Status, "SUCCEEDED");
    assert.equal((await get({ cookie: cookies.get("v1") ?? "" })).body.trim(), "v2", "after the promotion every client gets the new version");
    const done = await describeRollout();
    assert.equal(done?.Status, "PROMOTED");
    assert.equal((await listDeployments()).find((d) => d.Serving)?.DeploymentId, done?.DeploymentId);
    assert.equal(done?.Percent, 100);
    assert.ok((done?.Steps[0]?.Requests ?? 0) >= toNew / 2, `the step measured the new version's requests: ${JSON.stringify(done?.Steps)}`);
    assert.equal(done?.Steps[0]?.Errors5xx, 0);
    const lines = await events();
    assert.ok(lines.some((l) => l.includes(`Gradual rollout: 10% of traffic to deployment ${rollout.DeploymentId} (step 1 of 1).`)), lines.join("\n"));
    assert.ok(lines.some((l) => l.includes(`Gradual rollout: deployment ${rollout.DeploymentId} promoted to 100% of traffic after 1 step.`)), lines.join("\n"));
  });

  it("a rollout whose version answers 500 goes back by itself, and no request fails after the abort", async (t) => {
    const operationId = await update("broken");
    let abortedSeen = 0;
    const { answers, failures, stop } = steadyLoad(get, 4);
    try {
      await eventually(async () => {
        const r = await describeRollout();
        if (r?.OperationId === operationId && r.Status === "ABORTED") abortedSeen = Date.now();
        return abortedSeen > 0 ? true : undefined;
      }, 60_000);
      const op = await waitForOperation(server.client, arn(), operationId);
      assert.equal(op.Status, "ROLLBACK_SUCCEEDED");
      const after = Date.now();
      // The load keeps running a moment past the end of the operation: the new version is retired by now.
      while (answers.filter((a) => a.at > after).length < 50) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await stop();
    }
    assert.deepEqual(failures, [], "no request failed to get an answer");
    const wrong = answers.filter((a) => a.status !== 200 && !(a.status === 500 && a.body === "broken"));
    assert.deepEqual(wrong, [], "only the new version's own 500s");
    const late = answers.filter((a) => a.at > abortedSeen && a.status !== 200);
    assert.deepEqual(late, [], "no request sent after the abort fails");
    assert.ok(answers.some((a) => a.status === 500), "the new version took its share before the abort");
    assert.ok(answers.filter((a) => a.at > abortedSeen).every((a) => a.body === "v2"));
    const r = await describeRollout();
    t.diagnostic(`${answers.length} answers, ${answers.filter((a) => a.status === 500).length} of them the new version's 500s before the abort; ${r?.Reason ?? ""}`);
    assert.equal(r?.Status, "ABORTED");
    assert.equal(r?.Percent, 0);
    assert.match(r?.Reason ?? "", /were 5xx, above max-5xx 5% \(threshold max-5xx\)/);
    const lines = await events();
    assert.ok(lines.some((l) => /Gradual rollout aborted: \d+(\.\d+)?% of the new deployment's \d+ responses were 5xx, above max-5xx 5%/.test(l)), lines.join("\n"));
    const { stdout } = await run(process.execPath, [CLI, "rollout", "--service", "roll-me", "--data-dir", server.running.dataDir]);
    assert.match(stdout, /Status: ABORTED, 0% of new clients to the new deployment/);
    assert.match(stdout, /Reason: Gradual rollout aborted/);
  });
});
