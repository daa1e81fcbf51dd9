import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ListServicesCommand } from "@aws-sdk/client-apprunner";
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { accessDeniedMessage } from "../src/iam/authorization.js";
import type { Principal } from "../src/iam/principal.js";
import { launchBrowser, screenshot, type Page, type TestBrowser } from "./support/browser.js";
import { startInProcess, type InProcessServer } from "./support/harness.js";
import { ScriptedRuntimeDriver } from "./support/scripted-driver.js";

/** Screenshots for the docs: committed, so every run rewrites the same files. */
const SHOTS = fileURLToPath(new URL("../../docs/console/", import.meta.url));
const IMAGE = "127.0.0.1:5999/hello:latest";

interface Key {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Signs in on the console's sign-in page and waits for the services page (or its denial) to open. */
async function signIn(page: Page, endpoint: string, key: Key): Promise<void> {
  await page.goto(`${endpoint}/console/`);
  await page.getByRole("heading", { name: "Sign in to OpenRunner" }).waitFor();
  await page.getByLabel("Access key ID").fill(key.accessKeyId);
  await page.getByLabel("Secret access key").fill(key.secretAccessKey);
  if (key.sessionToken) await page.getByLabel("Session token").fill(key.sessionToken);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: /^Services/ }).waitFor();
}

/** Who the header says is signed in, once GetCallerIdentity has answered (until then it shows the key id). */
async function signedInAs(page: Page, expected: string): Promise<{ shown: string; arn: string }> {
  const who = page.locator("header .who[data-arn]");
  await who.waitFor();
  const shown = (await who.innerText()).replace(/^Signed in as\s*/, "").trim();
  assert.equal(shown, expected);
  return { shown, arn: (await who.getAttribute("data-arn")) ?? "" };
}

/** The wizard's shortest path to Create & deploy: an image, a name, the review step. */
async function createThroughWizard(page: Page, endpoint: string, name: string): Promise<void> {
  await page.goto(`${endpoint}/console/create`);
  await page.getByLabel("Container image URI").fill(IMAGE);
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByLabel("Service name").fill(name);
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("heading", { name: "Review and create" }).waitFor();
  await page.getByRole("button", { name: "Create & deploy" }).click();
}

const deniedNotice = (page: Page, action: string): ReturnType<Page["locator"]> => page.locator(`[role="alert"].banner-denied[data-denied-action="${action}"]`);

/**
 * Issue 17, item 5: the console signs in with any access key and says who is signed in, and a
 * call IAM refuses is said as a denial with AWS's own message. IAM user alice may do everything
 * but the actions a test names: her one inline policy allows all else (NotAction), so those are
 * refused by the real authorizer as no policy allowing them, and allowed again at the next call
 * once the policy is put back.
 */
describe("web console: who is signed in, and what IAM denies", { timeout: 3 * 60_000 }, () => {
  let server: InProcessServer;
  let browser: TestBrowser;
  let page: Page;
  let iam: IAMClient;
  let alice: Principal;
  let aliceKey: Key;

  /** Alice's rights: everything but `denied` (none: everything). */
  const allowAliceAllBut = async (...denied: string[]): Promise<void> => {
    const statement = denied.length > 0 ? { Effect: "Allow", NotAction: denied, Resource: "*" } : { Effect: "Allow", Action: "*", Resource: "*" };
    const document = JSON.stringify({ Version: "2012-10-17", Statement: [statement] });
    await iam.send(new PutUserPolicyCommand({ UserName: "alice", PolicyName: "console", PolicyDocument: document }));
  };

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startInProcess({ driver: new ScriptedRuntimeDriver() });
    const { accountId, region } = server.running.config;
    iam = new IAMClient({ endpoint: server.running.endpoint, region, credentials: server.running.rootKey, maxAttempts: 1 });
    const user = (await iam.send(new CreateUserCommand({ UserName: "alice" }))).User;
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "alice" }))).AccessKey;
    aliceKey = { accessKeyId: key?.AccessKeyId ?? "", secretAccessKey: key?.SecretAccessKey ?? "" };
    alice = { accessKeyId: aliceKey.accessKeyId, accountId, arn: user?.Arn ?? "", type: "IAMUser", userId: user?.UserId ?? "", userName: "alice" };
    await allowAliceAllBut();
    browser = await launchBrowser();
    page = browser.page;
    page.setDefaultTimeout(15_000);
  });

  afterEach(async (t) => {
    await allowAliceAllBut();
    if (process.env.OPENRUNNER_CONSOLE_DEBUG) await page?.screenshot({ path: `/tmp/console-identity-${t.name.slice(0, 20).replace(/\W/g, "_")}.png` }).catch(() => undefined);
  });

  after(async () => {
    iam?.destroy();
    const steps = [() => browser?.close(), () => server?.close()];
    for (const step of steps) await step().catch((err: unknown) => console.error("cleanup:", err));
  });

  it("says root for the root key", async () => {
    await signIn(page, server.running.endpoint, server.running.rootKey);
    const { arn } = await signedInAs(page, "root");
    assert.equal(arn, `arn:aws:iam::${server.running.config.accountId}:root`);
    await page.getByRole("button", { name: "Sign out" }).click();
  });

  it("signs in with an IAM user's access key, even one not allowed to list services, and shows who is signed in", async () => {
    await allowAliceAllBut("apprunner:ListServices");
    await signIn(page, server.running.endpoint, aliceKey);
    const { arn } = await signedInAs(page, "alice (IAM user)");
    assert.equal(arn, alice.arn);
    // The list the user may not see says so, with the action, instead of a generic error.
    const notice = deniedNotice(page, "apprunner:ListServices");
    await notice.waitFor();
    assert.match(await notice.innerText(), /You don't have permission to list services\./);
    assert.ok((await notice.innerText()).includes(accessDeniedMessage(alice, "apprunner:ListServices", "*", false)));
    assert.equal(await page.locator(".banner-error").count(), 0, "a denial, not an error");
    // Allowed again, the next poll lists them and the notice goes.
    await allowAliceAllBut();
    await notice.waitFor({ state: "detached" });
  });

  it("shows a denied CreateService as an access-denied notice with AWS's message, and creates nothing", async () => {
    await signedInAs(page, "alice (IAM user)");
    await allowAliceAllBut("apprunner:CreateService");
    await createThroughWizard(page, server.running.endpoint, "denied-web");
    const notice = deniedNotice(page, "apprunner:CreateService");
    await notice.waitFor();
    const text = await notice.innerText();
    assert.ok(
      text.includes(`User: ${alice.arn} is not authorized to perform: apprunner:CreateService on resource: * because no identity-based policy allows the apprunner:CreateService action`),
      text,
    );
    assert.match(text, /Access denied\. You don't have permission to do this\. Action: apprunner:CreateService/);
    // The wizard stays where the button was: a denial is nobody's field.
    await page.getByRole("heading", { name: "Review and create" }).waitFor();
    assert.equal(await page.locator(".field-error").count(), 0);
    await screenshot(page, `${SHOTS}access-denied.png`);
    const listed = await server.client.send(new ListServicesCommand({}));
    assert.equal(listed.ServiceSummaryList?.length ?? 0, 0);

    // The button keeps working: allowed now, the same click creates the service.
    await allowAliceAllBut();
    await page.getByRole("button", { name: "Create & deploy" }).click();
    await page.getByRole("heading", { name: "denied-web", level: 1 }).waitFor();
  });

  it("says which list is denied on the other list pages", async () => {
    await allowAliceAllBut("apprunner:ListConnections");
    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Connections" }).click();
    const notice = deniedNotice(page, "apprunner:ListConnections");
    await notice.waitFor();
    assert.match(await notice.innerText(), /You don't have permission to list connections\. Action: apprunner:ListConnections/);
    // An action denied on the same page is said as such too, not put under the name field.
    await allowAliceAllBut("apprunner:ListConnections", "apprunner:CreateConnection");
    await page.getByLabel("Connection name").fill("my-github");
    await page.getByRole("button", { name: "Add connection" }).click();
    await deniedNotice(page, "apprunner:CreateConnection").waitFor();
    assert.equal(await page.locator(".field-error").count(), 0);
  });
});

/** The same pages with the real IAM API, STS and authorizer: managed and inline policies, and a role session's credentials. */
describe(
  "web console: IAM users and role sessions of the real IAM API and authorizer",
  { timeout: 3 * 60_000 },
  () => {
    let server: InProcessServer;
    let browser: TestBrowser;
    let page: Page;
    let iam: IAMClient;

    const userWithKey = async (name: string): Promise<Key> => {
      await iam.send(new CreateUserCommand({ UserName: name }));
      const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
      return { accessKeyId: key?.AccessKeyId ?? "", secretAccessKey: key?.SecretAccessKey ?? "" };
    };

    before(async () => {
      server = await startInProcess({ driver: new ScriptedRuntimeDriver() });
      const { endpoint, rootKey, config } = server.running;
      iam = new IAMClient({ endpoint, region: config.region, credentials: rootKey, maxAttempts: 1 });
      browser = await launchBrowser();
      page = browser.page;
      page.setDefaultTimeout(15_000);
    });

    after(async () => {
      iam?.destroy();
      const steps = [() => browser?.close(), () => server?.close()];
      for (const step of steps) await step().catch((err: unknown) => console.error("cleanup:", err));
    });

    it("a read-only user signs in, sees the services and is refused CreateService in AWS's words", async () => {
      const key = await userWithKey("reader");
      await iam.send(new AttachUserPolicyCommand({ UserName: "reader", PolicyArn: "arn:aws:iam::aws:policy/AWSAppRunnerReadOnlyAccess" }));
      await signIn(page, server.running.endpoint, key);
      const { arn } = await signedInAs(page, "reader (IAM user)");
      assert.equal(arn, `arn:aws:iam::${server.running.config.accountId}:user/reader`);
      await page.getByText("No services yet.").waitFor(); // ListServices is allowed
      await createThroughWizard(page, server.running.endpoint, "not-allowed");
      const text = await deniedNotice(page, "apprunner:CreateService").innerText();
      assert.match(text, new RegExp(`User: ${arn} is not authorized to perform: apprunner:CreateService on resource: \\S+ because no identity-based policy allows the apprunner:CreateService action`));
      await page.getByRole("button", { name: "Sign out" }).click();
    });

    it("a user allowed only ListServices is told the connections list is denied", async () => {
      const key = await userWithKey("narrow");
      const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "apprunner:ListServices", Resource: "*" }] };
      await iam.send(new PutUserPolicyCommand({ UserName: "narrow", PolicyName: "list-services", PolicyDocument: JSON.stringify(policy) }));
      await signIn(page, server.running.endpoint, key);
      await signedInAs(page, "narrow (IAM user)");
      await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Connections" }).click();
      assert.match(await deniedNotice(page, "apprunner:ListConnections").innerText(), /You don't have permission to list connections\./);
      await page.getByRole("button", { name: "Sign out" }).click();
    });

    it("signs in with an AssumeRole session's temporary credentials, sent with their session token", async () => {
      const { accountId, region } = server.running.config;
      const key = await userWithKey("alice");
      const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${accountId}:user/alice` }, Action: "sts:AssumeRole" }] };
      const role = (await iam.send(new CreateRoleCommand({ RoleName: "deployer", AssumeRolePolicyDocument: JSON.stringify(trust) }))).Role;
      await iam.send(new AttachUserPolicyCommand({ UserName: "alice", PolicyArn: "arn:aws:iam::aws:policy/AWSAppRunnerReadOnlyAccess" }));
      const sts = new STSClient({ endpoint: server.running.endpoint, region, credentials: key, maxAttempts: 1 });
      try {
        const session = (await sts.send(new AssumeRoleCommand({ RoleArn: role?.Arn, RoleSessionName: "role-session" }))).Credentials;
        const tokens: string[] = [];
        page.on("request", (r) => {
          const token = r.headers()["x-amz-security-token"];
          if (token) tokens.push(token);
        });
        await signIn(page, server.running.endpoint, { accessKeyId: session?.AccessKeyId ?? "", secretAccessKey: session?.SecretAccessKey ?? "", sessionToken: session?.SessionToken ?? "" });
        const { arn } = await signedInAs(page, "role-session (assumed role deployer)");
        assert.equal(arn, `arn:aws:sts::${accountId}:assumed-role/deployer/role-session`);
        assert.ok(tokens.length > 0 && tokens.every((t) => t === session?.SessionToken), "every call carries the session token");
      } finally {
        sts.destroy();
      }
    });
  },
);
