import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { CreateServiceCommand, DescribeServiceCommand } from "@aws-sdk/client-apprunner";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { CreateSecretCommand, DescribeSecretCommand, ListSecretsCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { DescribeParametersCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { launchBrowser, screenshot, type Page, type TestBrowser } from "./support/browser.js";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { createInstanceRole } from "./support/instance-role.js";
import { ScriptedRuntimeDriver } from "./support/scripted-driver.js";

/** Screenshots for the docs: committed, so every run rewrites the same files. */
const SHOTS = fileURLToPath(new URL("../../docs/console/", import.meta.url));

/**
 * The console's Secrets page and a service's environment secrets (issue 18, item 7) in headless
 * Chromium against the real server: Secrets Manager, Parameter Store and KMS are the real
 * modules; services run on the scripted driver (this test is about what the console sends and
 * shows, not about the deployment reading the values, which test/secrets-*.e2e tests cover).
 * The values typed are random, so finding one anywhere the browser was sent is a real leak.
 */
describe("web console: secrets and a service's environment secrets", { timeout: 3 * 60_000 }, () => {
  let server: InProcessServer;
  let browser: TestBrowser;
  let page: Page;
  let secrets: SecretsManagerClient;
  let ssm: SSMClient;
  let kms: KMSClient;
  /** Every response body the browser received from the control plane. */
  const received: string[] = [];
  const password = `pw-${randomBytes(12).toString("hex")}`;
  const token = `tok-${randomBytes(12).toString("hex")}`;
  const oldValue = `old-${randomBytes(12).toString("hex")}`;
  const values = [password, token, oldValue];

  /** The value is nowhere in the page's DOM (inputs' values included) nor in anything the server answered. */
  const assertNoValue = async (where: string): Promise<void> => {
    const html = await page.content();
    const inputs = await page.locator("input").evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    for (const v of values) {
      assert.ok(!html.includes(v), `${where}: the page source contains a secret value`);
      assert.ok(!inputs.some((i) => i.includes(v)), `${where}: an input holds a secret value`);
      assert.ok(!received.some((body) => body.includes(v)), `${where}: a response carried a secret value`);
    }
  };

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startInProcess({ driver: new ScriptedRuntimeDriver() });
    const { endpoint, rootKey, config } = server.running;
    const common = { endpoint, region: config.region, credentials: rootKey };
    secrets = new SecretsManagerClient(common);
    ssm = new SSMClient(common);
    kms = new KMSClient(common);
    browser = await launchBrowser();
    page = browser.page;
    page.setDefaultTimeout(15_000);
    page.on("response", (res) => {
      if (res.request().method() === "POST") void res.text().then((t) => received.push(t), () => undefined);
    });
  });

  after(async () => {
    const steps = [() => browser?.close(), () => server?.close()];
    for (const step of steps) await step().catch((err: unknown) => console.error("cleanup:", err));
    for (const c of [secrets, ssm, kms]) c?.destroy();
  });

  it("stores a secret and a parameter, lists them without values, and gives them to a service as references", async () => {
    const { endpoint, rootKey } = server.running;
    // Set up through the SDK: a secret to delete and restore, a parameter to delete, and a
    // service encrypted under a customer managed key.
    const old = await secrets.send(new CreateSecretCommand({ Name: "old-token", SecretString: oldValue, Description: "Rotated out" }));
    await ssm.send(new PutParameterCommand({ Name: "/scratch/flag", Value: "on", Type: "String" }));
    const key = (await kms.send(new CreateKeyCommand({ Description: "web's configuration" }))).KeyMetadata?.Arn ?? "";
    // The instance role its deployments read the picked secrets with, as on AWS.
    const reads = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "ssm:GetParameters", "kms:Decrypt"], Resource: "*" }] };
    const role = await createInstanceRole(server.running, "web-app-instance", "reads", JSON.stringify(reads), server.running.config.region);
    const created = await server.client.send(
      new CreateServiceCommand({
        ServiceName: "web-app",
        SourceConfiguration: { AutoDeploymentsEnabled: false, ImageRepository: { ImageIdentifier: "127.0.0.1:5999/hello:latest", ImageRepositoryType: "ECR_PUBLIC", ImageConfiguration: { Port: "8080" } } },
        EncryptionConfiguration: { KmsKey: key },
        InstanceConfiguration: { InstanceRoleArn: role },
      }),
    );
    const service = created.Service;
    assert.ok(service?.ServiceArn && service.ServiceId);

    await page.goto(`${endpoint}/console/`);
    await page.getByLabel("Access key ID").fill(rootKey.accessKeyId);
    await page.getByLabel("Secret access key").fill(rootKey.secretAccessKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: /^Services/ }).waitFor();
    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Secrets" }).click();
    await page.getByRole("heading", { name: "Secrets", level: 1 }).waitFor();
    await page.locator('tr[data-secret="old-token"]').waitFor();

    // A JSON secret, typed as key/value pairs in password fields.
    const form = page.getByRole("form", { name: "Store a new secret" });
    await form.getByLabel("Secret name").fill("prod/db");
    await form.getByLabel("Description (optional)").fill("The database");
    await form.getByLabel("Key/value pairs (JSON)").check();
    await form.getByLabel("Secret key 1").fill("username");
    await form.getByLabel("Secret value 1").fill("app");
    await form.getByRole("button", { name: "Add row" }).click();
    await form.getByLabel("Secret key 2").fill("password");
    await form.getByLabel("Secret value 2").fill(password);
    assert.equal(await form.getByLabel("Secret value 2").getAttribute("type"), "password");
    await form.getByRole("button", { name: "Store secret" }).click();
    await page.getByRole("status").filter({ hasText: "Secret prod/db stored: arn:aws:secretsmanager:" }).waitFor();
    const db = page.locator('tr[data-secret="prod/db"]');
    await db.waitFor();
    assert.equal((await db.locator('[data-label="Description"]').innerText()).trim(), "The database");
    assert.equal((await db.locator('[data-label="Encryption key"]').innerText()).trim(), "aws/secretsmanager");
    const listed = (await secrets.send(new ListSecretsCommand({}))).SecretList ?? [];
    const dbArn = listed.find((s) => s.Name === "prod/db")?.ARN ?? "";
    assert.match(await db.locator('[data-label="Secret name"]').innerText(), new RegExp(dbArn.replace(/[/.]/g, "\\$&")));

    // A SecureString parameter.
    const pform = page.getByRole("form", { name: "Create a parameter" });
    await pform.getByLabel("Parameter name").fill("/prod/api-token");
    await pform.getByLabel("Parameter value").fill(token);
    assert.equal(await pform.getByLabel("Parameter value").getAttribute("type"), "password");
    await pform.getByRole("button", { name: "Create parameter" }).click();
    const param = page.locator('tr[data-parameter="/prod/api-token"]');
    await param.waitFor();
    assert.equal((await param.locator('[data-label="Type"]').innerText()).trim(), "SecureString");
    assert.equal((await param.locator('[data-label="Version"]').innerText()).trim(), "1");
    assert.equal((await param.locator('[data-label="KMS key"]').innerText()).trim(), "alias/aws/ssm");
    const paramArn = ((await ssm.send(new DescribeParametersCommand({}))).Parameters ?? []).find((p) => p.Name === "/prod/api-token")?.ARN ?? "";
    assert.match(paramArn, /^arn:aws:ssm:.*:parameter\/prod\/api-token$/);
    await assertNoValue("after creating");

    // Delete with a recovery window, then restore; delete a parameter.
    const oldRow = page.locator('tr[data-secret="old-token"]');
    await oldRow.getByRole("button", { name: "Delete old-token" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete secret old-token?" });
    await dialog.getByLabel("Recovery window (days, 7 to 30)").fill("7");
    await dialog.getByLabel("Type old-token to confirm").fill("old-token");
    await dialog.getByRole("button", { name: "Delete" }).click();
    await oldRow.getByTestId("scheduled-deletion").waitFor();
    assert.ok((await secrets.send(new DescribeSecretCommand({ SecretId: old.ARN }))).DeletedDate, "scheduled for deletion");
    await oldRow.getByRole("button", { name: "Restore old-token" }).click();
    await oldRow.getByRole("button", { name: "Delete old-token" }).waitFor();
    assert.equal((await secrets.send(new DescribeSecretCommand({ SecretId: old.ARN }))).DeletedDate, undefined);
    await page.locator('tr[data-parameter="/scratch/flag"]').getByRole("button", { name: "Delete /scratch/flag" }).click();
    await page.getByRole("dialog", { name: "Delete parameter /scratch/flag?" }).getByLabel("Type /scratch/flag to confirm").fill("/scratch/flag");
    await page.getByRole("dialog", { name: "Delete parameter /scratch/flag?" }).getByRole("button", { name: "Delete" }).click();
    await page.locator('tr[data-parameter="/scratch/flag"]').waitFor({ state: "detached" });
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, `${SHOTS}secrets.png`);

    // The service's Configuration tab: pick the secret's JSON key and the parameter.
    await page.goto(`${endpoint}/console/services/web-app/${service.ServiceId}/configuration`);
    await page.locator('[data-config="Encryption key"] dd').filter({ hasText: key }).waitFor();
    const edit = page.getByRole("button", { name: "Edit", exact: true });
    await eventually(async () => ((await edit.isEnabled()) ? true : undefined), 15_000, 100);
    await edit.click();
    const editor = page.getByTestId("env-secrets");
    await editor.getByRole("button", { name: "Add environment secret" }).click();
    await editor.getByLabel("Secret variable name 1").fill("DB_PASSWORD");
    await editor.getByLabel("Pick secret or parameter 1").selectOption({ label: "prod/db" });
    await editor.getByLabel("JSON key 1").fill("password");
    await editor.getByRole("button", { name: "Add environment secret" }).click();
    await editor.getByLabel("Secret variable name 2").fill("API_TOKEN");
    // A typed name is a reference too; picking from the list replaces it with the parameter's ARN.
    await editor.getByLabel("Secret reference 2").fill("/prod/api-token");
    assert.equal(await editor.getByLabel("JSON key 2").isDisabled(), true, "a JSON key is a secret's");
    await editor.getByLabel("Pick secret or parameter 2").selectOption({ label: "/prod/api-token (SecureString)" });
    assert.equal(await editor.getByLabel("Secret reference 2").inputValue(), paramArn);
    assert.match(await editor.locator('[data-secret-row="1"] .secret-reference').innerText(), new RegExp(`${dbArn}:password::`.replace(/[/.]/g, "\\$&")));
    await editor.scrollIntoViewIfNeeded();
    await screenshot(page, `${SHOTS}dashboard-environment-secrets.png`);
    await page.getByRole("button", { name: "Apply changes" }).click();
    await page.getByRole("status").filter({ hasText: "Changes applied" }).waitFor();

    const described = await server.client.send(new DescribeServiceCommand({ ServiceArn: service.ServiceArn }));
    assert.deepEqual(described.Service?.SourceConfiguration?.ImageRepository?.ImageConfiguration?.RuntimeEnvironmentSecrets, { DB_PASSWORD: `${dbArn}:password::`, API_TOKEN: paramArn });
    const shown = page.getByTestId("env-secrets-view");
    await shown.waitFor();
    assert.match(await shown.innerText(), /DB_PASSWORD from .*:password:: \(prod\/db \(Secrets Manager\), JSON key password\)/);
    assert.match(await shown.innerText(), /API_TOKEN from arn:aws:ssm:.*parameter\/prod\/api-token \(\/prod\/api-token \(Parameter Store\)\)/);
    await assertNoValue("after picking");

    // Edited again, the rows come back from the references as they were picked.
    await eventually(async () => ((await edit.isEnabled()) ? true : undefined), 15_000, 100);
    await edit.click();
    assert.equal(await editor.getByLabel("Secret reference 1").inputValue(), dbArn);
    assert.equal(await editor.getByLabel("JSON key 1").inputValue(), "password");
    // Two secrets for one variable are refused before any call.
    await editor.getByLabel("Secret variable name 2").fill("DB_PASSWORD");
    await page.getByRole("button", { name: "Apply changes" }).click();
    await editor.getByRole("alert").filter({ hasText: "The variable DB_PASSWORD is given more than one secret." }).waitFor();
    await page.getByRole("button", { name: "Cancel" }).click();
    await assertNoValue("at the end");
  });
});
