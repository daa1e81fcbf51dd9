import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CreateServiceCommand, type SourceConfiguration } from "@aws-sdk/client-apprunner";
import { launchBrowser, screenshot, type Page, type TestBrowser } from "./support/browser.js";
import { FakeEcrApi } from "./support/fake-ecr-api.js";
import { startInProcess, type InProcessServer } from "./support/harness.js";
import { ScriptedRuntimeDriver } from "./support/scripted-driver.js";
import { pushHelloApp } from "./support/app-images.js";
import { copyToBuiltInRegistry } from "./support/built-in-registry.js";
import { skipUnlessOnPath } from "./support/host-tools.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { freePort } from "./support/router-client.js";
import { ensureEcrAccessRole } from "./support/ecr-access-role.js";

/** Screenshots for the docs: committed, so every run rewrites the same files. */
const SHOTS = fileURLToPath(new URL("../../docs/console/", import.meta.url));
const MiB = 1024 * 1024;
const DAY = 86_400_000;
const POLICY = JSON.stringify({
  rules: [
    { rulePriority: 2, description: "Keep the last ten releases", selection: { tagStatus: "tagged", tagPrefixList: ["v"], countType: "imageCountMoreThan", countNumber: 10 }, action: { type: "expire" } },
    { rulePriority: 1, description: "Expire untagged images", selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 14 }, action: { type: "expire" } },
  ],
});

/**
 * The console's image repositories (issue 15, item 7) in headless Chromium against the real
 * server. Here the ECR API is the FAKE in test/support/fake-ecr-api.ts, served through the
 * server's `extraApis`: it fixes push times days apart and fails a call on demand, so the pages
 * and screenshots are the same every run (the real API and registry are the next describe's);
 * services run on the scripted driver (their ECR image hosts must never be dialled).
 */
describe("web console: image repositories and a service's images", { timeout: 5 * 60_000 }, () => {
  let server: InProcessServer;
  /** A server with no ECR API at all, as one started without the built-in registry. */
  let bare: InProcessServer;
  let browser: TestBrowser;
  let page: Page;
  const ecr = new FakeEcrApi({ pageSize: 2 });

  const shot = (name: string): Promise<number> => screenshot(page, `${SHOTS}${name}.png`);
  const signIn = async (on: InProcessServer): Promise<void> => {
    await page.goto(`${on.running.endpoint}/console/`);
    await page.getByLabel("Access key ID").fill(on.running.rootKey.accessKeyId);
    await page.getByLabel("Secret access key").fill(on.running.rootKey.secretAccessKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: /^Services/ }).waitFor();
  };
  const createService = async (on: InProcessServer, name: string, source: SourceConfiguration): Promise<string> => {
    // As on App Runner: an ECR image is pulled with an access role.
    const role = source.ImageRepository?.ImageRepositoryType === "ECR" ? { AuthenticationConfiguration: { AccessRoleArn: await ensureEcrAccessRole(on.running.endpoint, on.running.rootKey) } } : {};
    const out = await on.client.send(new CreateServiceCommand({ ServiceName: name, SourceConfiguration: { AutoDeploymentsEnabled: false, ...role, ...source } }));
    return out.Service?.ServiceId ?? "";
  };
  const imageTab = async (on: InProcessServer, name: string, id: string): Promise<void> => {
    await page.goto(`${on.running.endpoint}/console/services/${name}/${id}/logs`);
    await page.getByRole("heading", { name, level: 1 }).waitFor();
    await page.getByRole("navigation", { name: "Service tabs" }).getByRole("link", { name: "Image repository" }).click();
    await page.getByRole("heading", { name: "Image repository" }).waitFor();
  };
  /** ECR's form of an image in the built-in registry, for this server's account and region. */
  const ecrImage = (repo: string): string => `${server.running.config.accountId}.dkr.ecr.${server.running.config.region}.amazonaws.com/${repo}`;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startInProcess({ driver: new ScriptedRuntimeDriver(), extraApis: [ecr.api] });
    bare = await startInProcess({ driver: new ScriptedRuntimeDriver() });
    browser = await launchBrowser();
    page = browser.page;
    page.setDefaultTimeout(15_000);
    await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.running.endpoint });
  });

  after(async () => {
    const steps = [() => browser?.close(), () => server?.close(), () => bare?.close()];
    for (const step of steps) await step().catch((err: unknown) => console.error("cleanup:", err));
  });

  it("lists repositories with their URIs, and shows one's images, push commands and lifecycle policy", async () => {
    await signIn(server);
    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Repositories" }).click();
    await page.getByText("No repositories yet.").waitFor();

    // Three repositories over two pages: the list follows nextToken.
    const now = Date.now();
    ecr.createRepository("hello", { createdAt: new Date(now - 3 * DAY) });
    ecr.createRepository("apprunner/python-app", { tagMutability: "IMMUTABLE" });
    ecr.createRepository("web.v2");
    const hello = page.locator('tr[data-repository="hello"]');
    await hello.waitFor(); // the list polls
    assert.equal(await page.locator("tr[data-repository]").count(), 3);
    assert.match(await hello.locator('[data-label="URI"]').innerText(), /127\.0\.0\.1:8601\/hello/);
    assert.equal((await page.locator('tr[data-repository="apprunner/python-app"] [data-label="Tag immutability"]').innerText()).trim(), "Immutable");
    assert.equal((await hello.locator('[data-label="Tag immutability"]').innerText()).trim(), "Mutable");
    await hello.getByRole("button", { name: "Copy URI of hello" }).click();
    await hello.getByRole("status").filter({ hasText: "Copied" }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), "127.0.0.1:8601/hello");
    await shot("repositories");

    // Its images, newest first: tags, short digest, size in binary units, push time.
    ecr.push("hello", { tags: ["v1"], sizeBytes: 12 * MiB + 512 * 1024, pushedAt: new Date(now - 2 * DAY) });
    ecr.push("hello", { tags: [], sizeBytes: 39 * MiB, pushedAt: new Date(now - DAY) });
    const latest = ecr.push("hello", { tags: ["latest", "v2"], sizeBytes: 40 * MiB, pushedAt: new Date(now - 3_600_000) });
    ecr.putLifecyclePolicy("hello", POLICY, new Date(now - 600_000));
    await hello.getByRole("link", { name: "hello" }).click();
    await page.getByRole("heading", { name: "hello", level: 1 }).waitFor();
    assert.match(page.url(), /\/console\/repositories\/hello\/images$/);
    const images = page.getByRole("table", { name: "Images" }).locator("tbody tr");
    await images.first().waitFor();
    assert.equal(await images.count(), 3);
    const newest = images.first();
    assert.deepEqual(await newest.locator('[data-label="Image tags"] li code').allInnerTexts(), ["latest", "v2"]);
    assert.equal((await newest.locator('[data-label="Image digest"]').innerText()).trim(), latest.slice(0, "sha256:".length + 12));
    assert.equal(await newest.locator('[data-label="Image digest"] code').getAttribute("title"), latest);
    assert.equal((await newest.locator('[data-label="Size"]').innerText()).trim(), "40.0 MB");
    assert.equal((await images.nth(1).locator('[data-label="Image tags"]').innerText()).trim(), "untagged");
    assert.equal((await images.nth(2).locator('[data-label="Size"]').innerText()).trim(), "12.5 MB");
    assert.equal((await page.locator('[data-fact="URI"] code').innerText()).trim(), "127.0.0.1:8601/hello");
    assert.match(await page.locator('[data-fact="ARN"]').innerText(), new RegExp(`arn:aws:ecr:${server.running.config.region}:${server.running.config.accountId}:repository/hello`));

    // Push commands, as ECR's console gives them, against this endpoint and the repository URI.
    const login = `aws --profile openrunner --endpoint-url ${server.running.endpoint} ecr get-login-password --region ${server.running.config.region}`;
    const commands = (): Promise<string[]> => page.locator(".push-steps pre").allInnerTexts();
    assert.deepEqual(await commands(), [
      `${login} | docker login --username AWS --password-stdin 127.0.0.1:8601`,
      "docker build -t hello .",
      "docker tag hello:latest 127.0.0.1:8601/hello:latest",
      "docker push 127.0.0.1:8601/hello:latest",
    ]);

    // The lifecycle policy's rules in words, by priority.
    const rules = page.getByRole("table", { name: "Lifecycle rules" }).locator("tbody tr");
    assert.deepEqual(
      (await rules.allInnerTexts()).map((r) => r.replace(/\s+/g, " ").trim()),
      ["1 Expire untagged images Untagged images 14 days after push Expire", "2 Keep the last ten releases Images tagged with prefix v More than 10 images: the oldest go first Expire"],
    );
    await shot("repository");
    // At phone width the images table stacks and the commands wrap.
    await page.setViewportSize({ width: 390, height: 844 });
    await shot("phone-repository");
    await page.setViewportSize({ width: 1280, height: 800 });

    await page.getByRole("group", { name: "Client" }).getByRole("button", { name: "Skopeo" }).click();
    assert.equal((await commands())[0], `${login} | skopeo login -u AWS --password-stdin --tls-verify=false 127.0.0.1:8601`);
    await page.getByRole("group", { name: "Client" }).getByRole("button", { name: "Podman" }).click();
    assert.equal((await commands()).at(-1), "podman push --tls-verify=false 127.0.0.1:8601/hello:latest");
    await page.getByRole("button", { name: "Copy command 1" }).click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), `${login} | podman login -u AWS --password-stdin --tls-verify=false 127.0.0.1:8601`);
    await page.getByRole("group", { name: "Client" }).getByRole("button", { name: "Docker" }).click();


    // A name with a slash (from the list) and one with a dot (a deep link) both open; no images, no policy.
    await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "Repositories" }).click();
    await page.locator('tr[data-repository="apprunner/python-app"]').getByRole("link").click();
    await page.getByRole("heading", { name: "apprunner/python-app", level: 1 }).waitFor();
    await page.getByText("No images in this repository yet.").waitFor();
    await page.getByTestId("no-lifecycle-policy").waitFor();
    assert.equal((await commands())[2], "docker tag python-app:latest 127.0.0.1:8601/apprunner/python-app:latest");
    await page.goto(`${server.running.endpoint}/console/repositories/web.v2/images`);
    await page.getByRole("heading", { name: "web.v2", level: 1 }).waitFor();
    await page.getByText("No images in this repository yet.").waitFor();

    // A repository that does not exist, and a failing call: said on the page, which goes on working.
    await page.goto(`${server.running.endpoint}/console/repositories/nope/images`);
    await page.getByRole("alert").filter({ hasText: "The repository nope does not exist in this registry." }).waitFor();
    ecr.failNext("DescribeImages", "ServerException", "The registry is resting.");
    await page.goto(`${server.running.endpoint}/console/repositories/hello/images`);
    await page.getByRole("alert").filter({ hasText: "The registry is resting." }).waitFor();
    await page.getByRole("table", { name: "Images" }).waitFor(); // the next poll succeeds
    await page.getByRole("alert").waitFor({ state: "detached" });
  });

  it("shows a service's image repository when its image is in the built-in registry, by either host", async () => {
    ecr.createRepository("shop");
    ecr.push("shop", { tags: ["v1"], sizeBytes: 5 * MiB, pushedAt: new Date(Date.now() - DAY) });
    ecr.push("shop", { tags: ["latest"], sizeBytes: 6 * MiB, pushedAt: new Date() });

    // App Runner's ECR form of an image (this account and region) names the built-in registry.
    const ecrId = await createService(server, "shop-ecr", { ImageRepository: { ImageIdentifier: ecrImage("shop:latest"), ImageRepositoryType: "ECR", ImageConfiguration: { Port: "8080" } } });
    await imageTab(server, "shop-ecr", ecrId);
    const facts = page.locator('[data-fact="Repository"]');
    await facts.getByRole("link", { name: "shop" }).waitFor();
    assert.equal((await page.locator('[data-fact="URI"] code').innerText()).trim(), "127.0.0.1:8601/shop");
    const followed = page.getByRole("table", { name: "Images" }).locator("tbody tr").filter({ hasText: "this service" });
    assert.deepEqual(await followed.locator('[data-label="Image tags"] li code').allInnerTexts(), ["latest"]);
    await shot("dashboard-image-repository");
    await facts.getByRole("link", { name: "shop" }).click();
    await page.getByRole("heading", { name: "shop", level: 1 }).waitFor();
    assert.match(page.url(), /\/console\/repositories\/shop\/images$/);

    // So does the repository URI's own host; the service follows v1.
    const uriId = await createService(server, "shop-uri", { ImageRepository: { ImageIdentifier: "127.0.0.1:8601/shop:v1", ImageRepositoryType: "ECR_PUBLIC" } });
    await imageTab(server, "shop-uri", uriId);
    const followedV1 = page.getByRole("table", { name: "Images" }).locator("tbody tr").filter({ hasText: "this service" });
    await followedV1.waitFor();
    assert.deepEqual(await followedV1.locator('[data-label="Image tags"] li code').allInnerTexts(), ["v1"]);

    // A source-code service: its builds' repository, apprunner/<service name>/<service id>.
    const codeId = await createService(server, "Built_App", {
      CodeRepository: {
        RepositoryUrl: "https://git.example.invalid/built-app",
        SourceCodeVersion: { Type: "BRANCH", Value: "main" },
        CodeConfiguration: { ConfigurationSource: "API", CodeConfigurationValues: { Runtime: "PYTHON_3", BuildCommand: "true", StartCommand: "python3 app.py", Port: "8080" } },
      },
    });
    ecr.createRepository(`apprunner/built-app/${codeId}`);
    ecr.push(`apprunner/built-app/${codeId}`, { tags: ["deployment-1"], sizeBytes: 80 * MiB, pushedAt: new Date() });
    await imageTab(server, "Built_App", codeId);
    await page.locator('[data-fact="Repository"]').getByRole("link", { name: `apprunner/built-app/${codeId}` }).waitFor();
    await page.getByRole("table", { name: "Images" }).getByText("deployment-1").waitFor();

    // Not in the built-in registry: an outside registry, and an ECR image whose repository is gone.
    const outsideId = await createService(server, "outside", { ImageRepository: { ImageIdentifier: "public.ecr.aws/nginx/nginx:latest", ImageRepositoryType: "ECR_PUBLIC" } });
    await imageTab(server, "outside", outsideId);
    assert.match(await page.getByTestId("outside-registry").innerText(), /outside registry, public\.ecr\.aws,/);
    const goneId = await createService(server, "gone", { ImageRepository: { ImageIdentifier: ecrImage("gone:latest"), ImageRepositoryType: "ECR" } });
    await imageTab(server, "gone", goneId);
    assert.match(await page.getByTestId("missing-repository").innerText(), /The repository gone does not exist in the built-in registry/);
    const nobuildsId = await createService(server, "no-builds", {
      CodeRepository: {
        RepositoryUrl: "https://git.example.invalid/no-builds",
        SourceCodeVersion: { Type: "BRANCH", Value: "main" },
        CodeConfiguration: { ConfigurationSource: "REPOSITORY" },
      },
    });
    await imageTab(server, "no-builds", nobuildsId);
    assert.match(await page.getByTestId("missing-repository").innerText(), new RegExp(`Builds of this service keep their images in the repository apprunner/no-builds/${nobuildsId}, which has none yet`));
  });

  it("says image repositories are not available on a server without the ECR API, and nothing breaks", async () => {
    await signIn(bare);
    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Repositories" }).click();
    await page.getByTestId("ecr-not-served").getByText("Image repositories are not available on this server.").waitFor();
    assert.equal(await page.getByRole("alert").count(), 0, "a state, not an error");
    const id = await createService(bare, "elsewhere", { ImageRepository: { ImageIdentifier: `${bare.running.config.accountId}.dkr.ecr.${bare.running.config.region}.amazonaws.com/hello:latest`, ImageRepositoryType: "ECR" } });
    await imageTab(bare, "elsewhere", id);
    await page.getByTestId("ecr-not-served").waitFor();
    assert.equal(await page.getByRole("alert").count(), 0);
    await page.goto(`${bare.running.endpoint}/console/repositories/hello/images`);
    await page.getByTestId("ecr-not-served").waitFor();
  });
});

/**
 * The same pages against the real ECR API and built-in registry (a real docker-registry behind
 * token auth): what a user pushed with skopeo is what the console lists.
 */
describe("web console: image repositories of the real built-in registry", { timeout: 5 * 60_000, skip: skipUnlessOnPath("skopeo", "docker-registry") }, () => {
  let source: TestRegistry;
  let server: InProcessServer;
  let browser: TestBrowser;
  let registryPort = 0;

  before(async () => {
    source = await startRegistry();
    registryPort = await freePort();
    server = await startInProcess({ driver: new ScriptedRuntimeDriver(), registry: { port: registryPort } });
    browser = await launchBrowser();
    browser.page.setDefaultTimeout(15_000);
  });

  after(async () => {
    const steps = [() => browser?.close(), () => server?.close(), () => source?.stop()];
    for (const step of steps) await step().catch((err: unknown) => console.error("cleanup:", err));
  });

  it("lists a repository made with the ECR API and the image skopeo pushed to it", async () => {
    const pushed = await pushHelloApp(source.host, "hello", "v1", "one");
    const { endpoint, rootKey, config } = server.running;
    await copyToBuiltInRegistry({ endpoint, credentials: rootKey, registryPort, account: config.accountId }, `${source.host}/hello:v1`, "team/web", "v1");
    const page = browser.page;
    await page.goto(`${endpoint}/console/`);
    await page.getByLabel("Access key ID").fill(rootKey.accessKeyId);
    await page.getByLabel("Secret access key").fill(rootKey.secretAccessKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: /^Services/ }).waitFor();
    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Repositories" }).click();
    await page.locator('tr[data-repository="team/web"]').getByRole("link").click();
    await page.getByRole("heading", { name: "team/web", level: 1 }).waitFor();
    assert.equal((await page.locator('[data-fact="URI"] code').innerText()).trim(), `127.0.0.1:${registryPort}/team/web`);
    const rows = page.getByRole("table", { name: "Images" }).locator("tbody tr");
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1);
    assert.deepEqual(await rows.first().locator('[data-label="Image tags"] li code').allInnerTexts(), ["v1"]);
    assert.equal(await rows.first().locator('[data-label="Image digest"] code').getAttribute("title"), pushed.digest);
  });
});
