import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CreateServiceCommand, ListOperationsCommand, UpdateServiceCommand } from "@aws-sdk/client-apprunner";
import { pushHelloApp } from "./support/app-images.js";
import { launchBrowser, type Page, type TestBrowser } from "./support/browser.js";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { freePort, viaRouter } from "./support/router-client.js";
import { randomAddressBlock, waitForOperation, waitForStatus } from "./support/runtime-fixture.js";

describe("web console: the Activity tab rolls a service back to an earlier successful deployment", { timeout: 5 * 60_000 }, () => {
  let server: InProcessServer;
  let registry: TestRegistry;
  let browser: TestBrowser;
  let page: Page;
  let httpPort = 0;

  before(async () => {
    httpPort = await freePort();
    server = await startInProcess({
      localRuntime: { addressBlock: randomAddressBlock(), stopGraceMs: 1000, imagePollMs: 0, router: { httpPort, httpsPort: 0 } },
    });
    registry = await startRegistry();
    await Promise.all(["v1", "v2"].map((v) => pushHelloApp(registry.host, "hello", v, v)));
    browser = await launchBrowser();
    page = browser.page;
    page.setDefaultTimeout(15_000);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await registry?.stop();
  });

  it("lists the successful deployments, the serving one marked; 'Roll back to this version' asks, then v1 serves again", async () => {
    const { endpoint, rootKey } = server.running;
    const created = await server.client.send(
      new CreateServiceCommand({
        ServiceName: "shop",
        SourceConfiguration: { AutoDeploymentsEnabled: false, ImageRepository: { ImageIdentifier: `${registry.host}/hello:v1`, ImageRepositoryType: "ECR_PUBLIC" } },
        InstanceConfiguration: { Cpu: "0.25 vCPU", Memory: "0.5 GB" },
      }),
    );
    const arn = created.Service?.ServiceArn ?? "";
    const host = created.Service?.ServiceUrl ?? "";
    const first = created.OperationId ?? "";
    await waitForStatus(server.client, arn, "RUNNING");
    const updated = await server.client.send(
      new UpdateServiceCommand({ ServiceArn: arn, SourceConfiguration: { ImageRepository: { ImageIdentifier: `${registry.host}/hello:v2`, ImageRepositoryType: "ECR_PUBLIC" } } }),
    );
    await waitForOperation(server.client, arn, updated.OperationId ?? "");
    const body = async (): Promise<string> => (await viaRouter({ port: httpPort, host })).body.trim();
    assert.equal(await body(), "v2");

    await page.goto(`${endpoint}/console/`);
    await page.getByLabel("Access key ID").fill(rootKey.accessKeyId);
    await page.getByLabel("Secret access key").fill(rootKey.secretAccessKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: /^Services/ }).waitFor();
    await page.goto(`${endpoint}/console/services/shop/${created.Service?.ServiceId ?? ""}/activity`);

    const serving = page.locator(`tr[data-deployment="${updated.OperationId ?? ""}"]`);
    await serving.getByText("Serving").waitFor();
    assert.equal(await serving.getByRole("button").count(), 0, "the serving deployment has no rollback button");
    const older = page.locator(`tr[data-deployment="${first}"]`);
    assert.match(await older.locator('td[data-label="Source"]').innerText(), /\/hello:v1$/);

    // Cancel first: nothing happens.
    await older.getByRole("button", { name: "Roll back to this version" }).click();
    const dialog = page.getByRole("dialog", { name: `Roll back to deployment ${first}?` });
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    assert.equal((await server.client.send(new ListOperationsCommand({ ServiceArn: arn }))).OperationSummaryList?.length, 2);

    await older.getByRole("button", { name: "Roll back to this version" }).click();
    await dialog.getByRole("button", { name: "Roll back" }).click();
    await eventually(async () => ((await body()) === "v1" ? true : undefined), 30_000, 50);
    const ops = (await server.client.send(new ListOperationsCommand({ ServiceArn: arn }))).OperationSummaryList ?? [];
    assert.equal(ops.length, 3);
    assert.equal(ops[0]?.Type, "START_DEPLOYMENT");
    // The rollback is the newest successful deployment now, and the one serving.
    await page.locator(`tr[data-deployment="${ops[0]?.Id ?? ""}"]`).getByText("Serving").waitFor({ timeout: 30_000 });
  });
});
