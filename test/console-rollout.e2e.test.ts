import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CreateServiceCommand, UntagResourceCommand, UpdateServiceCommand, type Service } from "@aws-sdk/client-apprunner";
import { GRADUAL_ROLLOUT_TAG } from "../src/domain/gradual-rollout.js";
import { pushFailingApp, pushHelloApp } from "./support/app-images.js";
import { launchBrowser, type Page, type TestBrowser } from "./support/browser.js";
import { startInProcess, type InProcessServer } from "./support/harness.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { freePort, viaRouter } from "./support/router-client.js";
import { randomAddressBlock, waitForOperation, waitForStatus } from "./support/runtime-fixture.js";

/** Two steps of 6 s (the test bounds allow steps from 1 s); a version past 5% of 5xx over 5 responses goes back. */
const SETTINGS = "steps=10/50 interval=6s window=6s min-requests=5 max-5xx=5 max-p99=10s";

describe("web console: the overview and the Activity tab show a gradual rollout step by step", { timeout: 5 * 60_000 }, () => {
  let server: InProcessServer;
  let registry: TestRegistry;
  let browser: TestBrowser;
  let page: Page;
  let httpPort = 0;
  let service: Service;

  const arn = (): string => service.ServiceArn ?? "";
  const update = async (tag: string): Promise<string> => {
    const out = await server.client.send(
      new UpdateServiceCommand({ ServiceArn: arn(), SourceConfiguration: { ImageRepository: { ImageIdentifier: `${registry.host}/hello:${tag}`, ImageRepositoryType: "ECR_PUBLIC" } } }),
    );
    return out.OperationId ?? "";
  };
  /** New clients (no cookie), one after another until stopped: the new version's share gets requests to measure. What went wrong is kept, not thrown, so the load never stops early. */
  const load = (): { stop: () => Promise<string[]> } => {
    let running = true;
    const wrong: string[] = [];
    const loop = (async () => {
      while (running) {
        try {
          const r = await viaRouter({ port: httpPort, host: service.ServiceUrl ?? "", timeoutMs: 30_000 });
          if (r.status !== 200 && !(r.status === 500 && r.body.trim() === "broken")) wrong.push(`${r.status} ${r.body}`);
        } catch (err) {
          wrong.push(err instanceof Error ? err.message : String(err));
        }
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
        return wrong;
      },
    };
  };

  before(async () => {
    httpPort = await freePort();
    server = await startInProcess({
      localRuntime: { addressBlock: randomAddressBlock(), stopGraceMs: 1000, imagePollMs: 0, superviseMs: 250, router: { httpPort, httpsPort: 0 }, rolloutMinIntervalMs: 1000 },
    });
    registry = await startRegistry();
    await Promise.all([pushHelloApp(registry.host, "hello", "v1", "v1"), pushHelloApp(registry.host, "hello", "v2", "v2"), pushFailingApp(registry.host, "hello", "broken")]);
    browser = await launchBrowser();
    page = browser.page;
    page.setDefaultTimeout(15_000);
    const out = await server.client.send(
      new CreateServiceCommand({
        ServiceName: "canary",
        SourceConfiguration: { AutoDeploymentsEnabled: false, ImageRepository: { ImageIdentifier: `${registry.host}/hello:v1`, ImageRepositoryType: "ECR_PUBLIC" } },
        InstanceConfiguration: { Cpu: "0.25 vCPU", Memory: "0.5 GB" },
        Tags: [{ Key: GRADUAL_ROLLOUT_TAG, Value: SETTINGS }],
      }),
    );
    service = await waitForStatus(server.client, out.Service?.ServiceArn ?? "", "RUNNING");
    const { endpoint, rootKey } = server.running;
    await page.goto(`${endpoint}/console/`);
    await page.getByLabel("Access key ID").fill(rootKey.accessKeyId);
    await page.getByLabel("Secret access key").fill(rootKey.secretAccessKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: /^Services/ }).waitFor();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await registry?.stop();
  });

  const activity = (): string => `${server.running.endpoint}/console/services/canary/${service.ServiceId ?? ""}/activity`;
  const panel = (): ReturnType<Page["getByRole"]> => page.getByRole("region", { name: "Gradual rollout" });
  const share = (): ReturnType<Page["getByRole"]> => panel().getByRole("progressbar", { name: "New version's share of new clients" });

  it("the overview says the steps and thresholds the tag asks for; no panel before the first rollout", async () => {
    // The panel is absent once DescribeRollout answered, not merely before it did.
    const described = page.waitForResponse((r) => r.request().headers()["x-amz-target"] === "OpenRunner.DescribeRollout");
    await page.goto(activity());
    assert.equal((await described).status(), 200);
    const fact = page.locator('[data-fact="Rollout"] dd');
    assert.equal(await fact.innerText(), "Gradual rollout: 10% → 50% → 100% of new clients, 6 s a step; goes back above 5% 5xx or a p99 above 10 s");
    await page.getByRole("heading", { name: /^Activity/ }).waitFor();
    assert.equal(await panel().count(), 0, "a creation is not rolled out: nothing to show");
  });

  it("a second deployment's rollout shows 10%, then 50%, then Promoted, each step a row with its measurements", async () => {
    const operationId = await update("v2");
    const traffic = load();
    let wrong: string[] = [];
    try {
      // Step 1: the new version takes 10% of new clients; its row is the current one.
      await share().and(page.locator('[aria-valuenow="10"]')).waitFor({ timeout: 60_000 });
      assert.equal(await panel().getAttribute("data-operation"), operationId);
      await panel().getByText("In progress", { exact: true }).waitFor();
      const row = (n: number): ReturnType<Page["locator"]> => panel().locator(`tr[data-step="${n}"]`);
      assert.equal(await row(1).getAttribute("aria-current"), "step");
      assert.equal(await row(2).getAttribute("data-step-state"), "waiting");
      assert.equal(await row(2).locator('td[data-label="Started"]').innerText(), "Waiting");
      assert.equal(await panel().getByRole("columnheader", { name: "5xx (max 5%)" }).count(), 1, "the thresholds head their columns");
      assert.equal(await panel().getByRole("columnheader", { name: "p99 (max 10 s)" }).count(), 1);
      // Step 2: 50%, step 1 ended.
      await share().and(page.locator('[aria-valuenow="50"]')).waitFor({ timeout: 30_000 });
      assert.equal(await row(2).getAttribute("aria-current"), "step");
      assert.equal(await row(1).getAttribute("data-step-state"), "done");
      assert.notEqual(await row(1).locator('td[data-label="Ended"]').innerText(), "—");
      // Promoted: the whole share, no step current, the operation a success.
      await panel().getByText("Promoted", { exact: true }).waitFor({ timeout: 30_000 });
      await share().and(page.locator('[aria-valuenow="100"]')).waitFor();
      assert.equal(await panel().locator('tr[aria-current="step"]').count(), 0);
      assert.match(await panel().locator("p[aria-live]").innerText(), /was promoted to 100% of traffic/);
    } finally {
      wrong = await traffic.stop();
    }
    assert.deepEqual(wrong, [], "every request answered by one of the versions");
    assert.equal((await waitForOperation(server.client, arn(), operationId)).Status, "SUCCEEDED");
    const requests = await panel().locator('td[data-label="Requests"]').allInnerTexts();
    assert.ok(requests.some((n) => Number(n) > 0), `the steps measured the new version's requests: ${requests.join(", ")}`);
    // The operation's log, from the keyboard.
    await panel().getByRole("link", { name: "View log of the rollout's deployment" }).press("Enter");
    await page.waitForURL((u) => u.pathname.endsWith("/logs") && u.searchParams.get("op") === operationId);
  });

  it("a version answering 500 shows Aborted, the 5xx over the threshold and the reason", async () => {
    await page.goto(activity());
    await panel().waitFor();
    const operationId = await update("broken");
    const traffic = load();
    let wrong: string[] = [];
    try {
      await panel().and(page.locator(`[data-operation="${operationId}"][data-rollout-status="ABORTED"]`)).waitFor({ timeout: 60_000 });
    } finally {
      wrong = await traffic.stop();
    }
    assert.deepEqual(wrong, [], "every request answered by one of the versions");
    await panel().getByText("Aborted", { exact: true }).waitFor();
    await share().and(page.locator('[aria-valuenow="0"]')).waitFor();
    assert.match(await panel().getByRole("status").innerText(), /were 5xx, above max-5xx 5% \(threshold max-5xx\)/);
    assert.match(await panel().locator('td[data-over="true"]').first().innerText(), /above 5%$/);
    assert.equal((await waitForOperation(server.client, arn(), operationId)).Status, "ROLLBACK_SUCCEEDED");
    // Without the tag, the overview says App Runner's own switch.
    await server.client.send(new UntagResourceCommand({ ResourceArn: arn(), TagKeys: [GRADUAL_ROLLOUT_TAG] }));
    await page.reload();
    await page.locator('[data-fact="Rollout"] dd').getByText("All at once (App Runner's blue/green)").waitFor();
  });
});
