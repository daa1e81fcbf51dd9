import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { hostname } from "node:os";
import { fileURLToPath } from "node:url";
import type { LocalRuntimeDriver } from "../src/runtime/local/driver.js";
import { pushHelloApp } from "./support/app-images.js";
import { launchBrowser, screenshot, type Page, type TestBrowser } from "./support/browser.js";
import { makeRepo, removeRepo, type TestRepo } from "./support/git-server.js";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { freePort, viaRouter } from "./support/router-client.js";
import { randomAddressBlock } from "./support/runtime-fixture.js";
import { PYTHON_HELLO, TEST_RUNTIMES_DIR } from "./support/python-hello.js";

/** Screenshots for the docs: committed, so every run rewrites the same files. */
const SHOTS = fileURLToPath(new URL("../../docs/console/", import.meta.url));
const NAME = "hello-console";
const LONG = 60_000;
const BUILD_MS = 10 * 60_000;


describe("web console: a person manages a service in headless Chromium", { timeout: 20 * 60_000 }, () => {
  let server: InProcessServer;
  let registry: TestRegistry;
  let browser: TestBrowser;
  let page: Page;
  let httpPort = 0;
  const repos: TestRepo[] = [];

  const driver = (): LocalRuntimeDriver => server.running.driver as LocalRuntimeDriver;
  /** What the service answers at its ServiceUrl, through the data plane as anyone would reach it. */
  const routed = async (host: string, path = "/"): Promise<string> => (await viaRouter({ port: httpPort, host, path })).body.trim();
  const answers = (host: string, path: string, body: string, timeout = 30_000): Promise<true> =>
    eventually(async () => ((await routed(host, path).catch(() => "")) === body ? true : undefined), timeout, 200);
  const defaultDomain = async (): Promise<string> => (await page.locator('[data-fact="Default domain"] a').innerText()).trim();
  const shot = (name: string): Promise<number> => screenshot(page, `${SHOTS}${name}.png`);
  const statusIs = async (status: string, timeout = LONG): Promise<void> => {
    try {
      await page.locator(`[data-fact="Status"] [data-status="${status}"]`).waitFor({ timeout });
    } catch (err) {
      const shown = await page.locator('[data-fact="Status"] [data-status]').getAttribute("data-status").catch(() => "none");
      throw new Error(`status ${status} not shown (shows ${shown ?? "none"}): ${String(err)}`);
    }
  };
  const tab = async (label: string): Promise<void> => {
    await page.getByRole("navigation", { name: "Service tabs" }).getByRole("link", { name: label }).click();
  };

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    httpPort = await freePort();
    server = await startInProcess({
      localRuntime: { addressBlock: randomAddressBlock(), stopGraceMs: 1000, imagePollMs: 0, codePollMs: 0, router: { httpPort, httpsPort: 0 }, runtimesDir: TEST_RUNTIMES_DIR },
    });
    registry = await startRegistry();
    await pushHelloApp(registry.host, "hello", "latest", "v1");
    // Service URLs resolve to the data plane in this browser, so the default domain link opens the service.
    browser = await launchBrowser({ loopbackDomains: [server.running.config.baseDomain] });
    page = browser.page;
    page.setDefaultTimeout(15_000);
  });

  // When a step fails, the page as it was tells why far better than a timeout does.
  afterEach(async (t) => {
    if (process.env.OPENRUNNER_CONSOLE_DEBUG) await page?.screenshot({ path: `/tmp/console-${t.name.slice(0, 20).replace(/\W/g, "_")}.png` }).catch(() => undefined);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await registry?.stop();
    for (const r of repos) removeRepo(r);
  });

  it("signs in, creates a service through the wizard, changes a variable, reads logs and activity, pauses, resumes and deletes it", async () => {
    const { accessKeyId, secretAccessKey } = server.running.rootKey;
    // A browser at the endpoint's root is sent to the console; the API itself stays on POST /.
    await page.goto(`${server.running.endpoint}/`);
    await page.getByRole("heading", { name: "Sign in to OpenRunner" }).waitFor();
    assert.match(page.url(), /\/console\/$/);
    await page.getByLabel("Access key ID").fill(accessKeyId);
    await page.getByLabel("Secret access key").fill("not-the-secret");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "Sign-in failed" }).waitFor();
    await page.getByLabel("Secret access key").fill(secretAccessKey);
    await shot("sign-in");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: /^Services/ }).waitFor();

    // The wizard: source and deployment, configure service, review and create.
    await page.getByRole("button", { name: "Create service" }).click();
    await page.getByLabel("Container image URI").fill(`${registry.host}/hello:latest`);
    await shot("wizard-1-source");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("Service name").fill(NAME);
    await page.getByLabel("Virtual CPU & memory").selectOption({ label: "0.25 vCPU / 0.5 GB" });
    await page.getByLabel("Port", { exact: true }).fill("3000");
    await page.getByRole("button", { name: "Add environment variable" }).click();
    await page.getByLabel("Variable name 1").fill("MESSAGE");
    await page.getByLabel("Variable value 1").fill("first");
    await shot("wizard-2-configure");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByText("MESSAGE=first").waitFor();
    await shot("wizard-3-review");
    await page.getByRole("button", { name: "Create & deploy" }).click();

    // The dashboard follows the deployment without a reload.
    await page.getByRole("heading", { name: NAME, level: 1 }).waitFor();
    const serviceId = /\/services\/[^/]+\/([0-9a-f]{32})/.exec(page.url())?.[1] ?? "";
    assert.ok(serviceId, page.url());
    await statusIs("RUNNING");
    // The default domain links to the service through the data plane, and opens it.
    const host = await defaultDomain();
    assert.equal(await page.locator('[data-fact="Default domain"] a').getAttribute("href"), `http://${host}:${httpPort}`);
    await answers(host, "/cgi-bin/env", "MESSAGE=first"); // the wizard's variable reached the app
    const [opened] = await Promise.all([page.context().waitForEvent("page"), page.locator('[data-fact="Default domain"] a').click()]);
    await opened.waitForLoadState();
    assert.equal((await opened.locator("body").innerText()).trim(), "v1");
    await opened.close();
    const eventLog = page.getByRole("log", { name: "Event log" });
    // The event log polls: the completion line arrives within a poll or two.
    await eventLog.getByText("Service creation completed successfully.").waitFor();
    await shot("dashboard-logs");

    // The list shows it Running, with its default domain.
    await page.getByRole("link", { name: "Services", exact: true }).first().click();
    const row = page.locator(`tr[data-service="${NAME}"]`);
    await row.locator('[data-status="RUNNING"]').waitFor();
    assert.match(await row.innerText(), new RegExp(`${server.running.config.region}\\.${server.running.config.baseDomain.replace(/\./g, "\\.")}`));
    await page.getByLabel("Filter services").fill("no-such-service");
    await page.getByText("No service matches").waitFor();
    await page.getByLabel("Filter services").fill("hello");
    await shot("services");
    await row.getByRole("link", { name: NAME }).click();
    await statusIs("RUNNING");

    // Activity: the create operation, succeeded.
    await tab("Activity");
    await page.locator('tr[data-operation="CREATE_SERVICE"] [data-status="SUCCEEDED"]').waitFor();
    await shot("dashboard-activity");
    await tab("Metrics");
    await page.getByRole("group", { name: "Time range" }).getByRole("button", { name: "3h" }).click();
    await page.locator("figure.chart").first().waitFor();
    await shot("dashboard-metrics");

    // Instances: the one instance the driver runs, on this machine, healthy and serving.
    await tab("Instances");
    const [instance] = driver().instances(serviceId);
    assert.ok(instance);
    const instanceRow = page.locator(`tr[data-instance="${instance.instanceId}"]`);
    await instanceRow.locator('[data-status="HEALTHY"]').waitFor();
    assert.equal(await instanceRow.locator('td[data-label="Node"]').innerText(), hostname());
    assert.equal(await instanceRow.locator('td[data-label="Address"]').innerText(), `${instance.address}:${instance.port}`);
    assert.equal(await instanceRow.locator('td[data-label="Serving"]').innerText(), "Yes");
    await shot("dashboard-instances");

    // Configuration: a new variable value is applied with UpdateService and reaches the instance.
    await tab("Configuration");
    await page.getByRole("button", { name: "Edit" }).click();
    await page.getByLabel("Variable value 1").fill("second");
    await page.getByRole("button", { name: "Apply changes" }).click();
    await page.getByRole("status").filter({ hasText: "Changes applied" }).waitFor();
    await statusIs("OPERATION_IN_PROGRESS", 5000).catch(() => undefined); // may already be over
    await statusIs("RUNNING");
    await answers(host, "/cgi-bin/env", "MESSAGE=second");
    await page.getByTestId("env-vars").getByText("MESSAGE=second").waitFor();
    await shot("dashboard-configuration");

    // Custom domains: link shows the DNS records to create; unlink removes it.
    await tab("Custom domains");
    await page.getByRole("button", { name: "Link domain" }).click();
    const linkDialog = page.getByRole("dialog", { name: "Link domain" });
    await linkDialog.getByLabel("Domain name").fill("app.example.com");
    await linkDialog.getByRole("button", { name: "Link domain" }).click();
    await page.getByRole("heading", { name: "app.example.com" }).waitFor();
    // App Runner's lower-case status, shown as a pending step.
    await page.locator("article.domain").filter({ hasText: "app.example.com" }).locator('.badge-busy[data-status="pending_certificate_dns_validation"]').waitFor();
    await shot("dashboard-domains");
    await page.getByRole("button", { name: "Unlink app.example.com" }).click();
    const unlinkDialog = page.getByRole("dialog", { name: "Unlink domain app.example.com?" });
    await unlinkDialog.getByLabel("Type app.example.com to confirm").fill("app.example.com");
    await unlinkDialog.getByRole("button", { name: "Unlink" }).click();
    await page.getByText("No custom domains linked.").waitFor();

    // Logs again: the update's deployment log opens from the list.
    await tab("Logs");
    await page.getByRole("button", { name: "Update service" }).first().click();
    await page.getByRole("log", { name: /^Deployment log / }).locator(".log-line").first().waitFor();

    // At phone width the navigation folds into a menu and tables stack.
    await page.setViewportSize({ width: 390, height: 844 });
    await shot("phone-dashboard");
    await page.setViewportSize({ width: 1280, height: 800 });

    // Pause, resume.
    await page.getByRole("button", { name: "Pause" }).click();
    await statusIs("PAUSED");
    assert.equal(driver().instances(serviceId).length, 0);
    await tab("Instances");
    await page.getByText("No instances are running.").waitFor();
    await page.getByRole("button", { name: "Resume" }).click();
    await statusIs("RUNNING");
    await answers(host, "/cgi-bin/env", "MESSAGE=second");

    // Delete needs the name typed.
    await page.getByRole("button", { name: "Delete" }).click();
    const dialog = page.getByRole("dialog");
    const confirm = dialog.getByRole("button", { name: "Delete" });
    assert.equal(await confirm.isDisabled(), true);
    await dialog.getByLabel(/Type .* to confirm/).fill(NAME);
    await confirm.click();
    await page.getByRole("heading", { name: /^Services/ }).waitFor();
    await eventually(async () => (driver().instances(serviceId).length === 0 ? true : undefined), LONG, 200);
  });

  it("creates a service from a source code repository, with its build configured in the wizard", { timeout: BUILD_MS }, async () => {
    const repo = makeRepo(PYTHON_HELLO);
    repos.push(repo);
    await page.goto(`${server.running.endpoint}/console/create`);
    await page.getByLabel("Source code repository").check();
    await page.getByLabel("Repository URL").fill(`file://${repo.dir}`);
    assert.equal(await page.getByLabel("Branch", { exact: true }).inputValue(), "main");
    await shot("wizard-1-source-code");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("heading", { name: "Configure build" }).waitFor();
    await page.getByLabel("Configure all settings here").check();
    await page.getByLabel("Runtime", { exact: true }).selectOption({ label: "Python 3" });
    await page.getByLabel("Build command", { exact: true }).fill("pip install -r requirements.txt");
    await page.getByLabel("Start command", { exact: true }).fill("python3 server.py");
    await page.getByLabel("Port", { exact: true }).fill("8080");
    await shot("wizard-2-build");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("Service name").fill("python-console");
    await page.getByRole("button", { name: "Next" }).click();
    const build = page.getByRole("region", { name: "Build" });
    await build.getByText("pip install -r requirements.txt").waitFor();
    assert.match(await build.innerText(), /Python 3[\s\S]*python3 server\.py[\s\S]*8080/);
    await page.getByRole("button", { name: "Create & deploy" }).click();

    await page.getByRole("heading", { name: "python-console", level: 1 }).waitFor();
    assert.equal((await page.locator('[data-fact="Source"] dd').innerText()).trim(), "Source code repository");
    assert.equal((await page.locator('[data-fact="Repository"] dd').innerText()).trim(), `file://${repo.dir}`);
    assert.equal((await page.locator('[data-fact="Branch"] dd').innerText()).trim(), "main");
    await statusIs("RUNNING", BUILD_MS - 60_000);
    assert.equal(await routed(await defaultDomain()), "Hello, world! (v1)");
  });

  it("shows the API's own validation message at the service name field", async () => {
    await page.goto(`${server.running.endpoint}/console/create`);
    await page.getByLabel("Container image URI").fill(`${registry.host}/hello:latest`);
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("Service name").fill("bad name!");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Create & deploy" }).click();
    // Back on the step with the name, the message under the field is the API's InvalidRequestException.
    const name = page.getByLabel("Service name");
    await name.waitFor();
    const errorId = ((await name.getAttribute("aria-describedby")) ?? "").split(" ").find((id) => id.endsWith("-error"));
    assert.ok(errorId, "the name field is described by an error");
    const message = await page.locator(`[id="${errorId}"]`).innerText();
    assert.match(message, /Value 'bad name!' at 'serviceName' failed to satisfy constraint: Member must satisfy regular expression pattern/);
    assert.equal(await name.getAttribute("aria-invalid"), "true");
    await shot("wizard-error");
  });

  it("lists, creates and deletes auto scaling configurations and connections, completing a handshake", async () => {
    await page.goto(`${server.running.endpoint}/console/auto-scaling`);
    await page.getByLabel("Configuration name").fill("burst");
    await page.getByLabel("Maximum size").fill("5");
    await page.getByRole("button", { name: "Create", exact: true }).click();
    await page.getByRole("cell", { name: "burst" }).first().waitFor();
    await page.getByRole("button", { name: "Create", exact: true }).click(); // name cleared: the API says what is missing
    await page.getByLabel("Configuration name").fill("burst");
    await page.getByRole("button", { name: "Create", exact: true }).click();
    await page.getByRole("row").filter({ hasText: "burst" }).nth(1).waitFor(); // a second revision
    // App Runner's lower-case `active` shows as healthy.
    await page.getByRole("row").filter({ hasText: "burst" }).first().locator('.badge-ok[data-status="active"]').waitFor();
    await shot("auto-scaling");
    await page.getByRole("link", { name: "Connections" }).click();
    await page.getByLabel("Connection name").fill("my-github");
    await page.getByRole("button", { name: "Add connection" }).click();
    await page.getByRole("cell", { name: "my-github", exact: true }).waitFor();
    await shot("connections");
    // Complete handshake: the provider token goes through a password field, signed like every SDK call.
    const token = "ghp_browserHandshake0123456789abcdefABCD";
    const row = page.getByRole("row").filter({ hasText: "my-github" });
    await row.locator('[data-status="PENDING_HANDSHAKE"]').waitFor();
    await page.getByRole("button", { name: "Complete handshake for my-github" }).click();
    const handshake = page.getByRole("dialog");
    const tokenField = handshake.getByLabel("Provider token");
    assert.equal(await tokenField.getAttribute("type"), "password");
    await handshake.getByText(/GitHub personal access token/).waitFor();
    await tokenField.fill(token);
    await handshake.getByRole("button", { name: "Submit" }).click();
    await handshake.waitFor({ state: "detached" });
    await row.locator('[data-status="AVAILABLE"]').waitFor();
    assert.equal(await page.getByRole("button", { name: "Complete handshake for my-github" }).count(), 0);
    assert.ok(!(await page.content()).includes(token), "the token is gone from the page");
    const arn = (await row.locator("code").innerText()).trim();
    assert.equal(server.running.store.resources.get(arn)?.status, "AVAILABLE");
    await page.getByRole("button", { name: "Delete my-github" }).click();
    await page.getByRole("dialog").getByLabel(/Type .* to confirm/).fill("my-github");
    await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
    await page.getByText("No connections.").waitFor();
    // Sign-out forgets the key: the console asks for it again.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to OpenRunner" }).waitFor();
    await page.reload();
    await page.getByRole("heading", { name: "Sign in to OpenRunner" }).waitFor();
  });
});
