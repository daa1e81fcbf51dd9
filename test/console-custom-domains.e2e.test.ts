import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CreateServiceCommand, DescribeCustomDomainsCommand, DescribeServiceCommand } from "@aws-sdk/client-apprunner";
import type { CustomDomainDoc } from "../src/domain/custom-domains.js";
import { launchBrowser, type Page, type TestBrowser } from "./support/browser.js";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { ScriptedRuntimeDriver } from "./support/scripted-driver.js";

const DOMAIN = "shop.example.com";
const DAY_S = 24 * 60 * 60;

/**
 * The service's Custom domains tab (issue 19, item 6) in headless Chromium against the real
 * server: a domain linked through the Link domain dialog shows the records App Runner's API
 * lists, then what the certificate controller records (each record's DNS check, the
 * certificate's expiry and a failing renewal), written into the association's row as the
 * controller would, and is unlinked through the confirmation dialog.
 */
describe("web console: a service's custom domains", { timeout: 3 * 60_000 }, () => {
  let server: InProcessServer;
  let browser: TestBrowser;
  let page: Page;

  /** The association's stored row rewritten as the controller leaves it (Progress keeps the controller off it meanwhile). */
  const record = (serviceArn: string, status: CustomDomainDoc["Status"], change: (doc: CustomDomainDoc) => CustomDomainDoc): void => {
    const { store } = server.running;
    const row = store.resources.list<CustomDomainDoc>({ kind: "custom-domain", parentArn: serviceArn }).find((r) => r.doc.DomainName === DOMAIN);
    assert.ok(row, `${DOMAIN} is stored`);
    const doc = change({ ...row.doc, Status: status });
    store.resources.update({ ...row, status: status ?? row.status, doc: { ...doc, Progress: { since: Date.now(), ...doc.Progress, nextAttemptAt: Date.now() + DAY_S * 1000 } } });
  };

  before(async () => {
    server = await startInProcess({ driver: new ScriptedRuntimeDriver() });
    browser = await launchBrowser();
    page = browser.page;
    page.setDefaultTimeout(15_000);
  });

  afterEach(async (t) => {
    if (process.env.OPENRUNNER_CONSOLE_DEBUG) await page?.screenshot({ path: `/tmp/console-domains-${t.name.slice(0, 20).replace(/\W/g, "_")}.png`, fullPage: true }).catch(() => undefined);
  });

  after(async () => {
    const steps = [() => browser?.close(), () => server?.close()];
    for (const step of steps) await step().catch((err: unknown) => console.error("cleanup:", err));
  });

  it("links a domain with www, shows the records to create, their checks and the certificate's expiry, and unlinks it", async () => {
    const { endpoint, rootKey } = server.running;
    const created = await server.client.send(
      new CreateServiceCommand({ ServiceName: "shop", SourceConfiguration: { ImageRepository: { ImageIdentifier: "127.0.0.1:5999/hello:latest", ImageRepositoryType: "ECR_PUBLIC" } } }),
    );
    const arn = created.Service?.ServiceArn ?? "";
    const serviceUrl = created.Service?.ServiceUrl ?? "";
    await eventually(async () => ((await server.client.send(new DescribeServiceCommand({ ServiceArn: arn }))).Service?.Status === "RUNNING" ? true : undefined));

    await page.goto(`${endpoint}/console/`);
    await page.getByLabel("Access key ID").fill(rootKey.accessKeyId);
    await page.getByLabel("Secret access key").fill(rootKey.secretAccessKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: /^Services/ }).waitFor();
    await page.goto(`${endpoint}/console/services/shop/${created.Service?.ServiceId ?? ""}/domains`);
    await page.getByText("No custom domains linked.").waitFor();

    // The dialog: a refused name is said under the field, and nothing is linked.
    await page.getByRole("button", { name: "Link domain" }).click();
    const dialog = page.getByRole("dialog", { name: "Link domain" });
    await dialog.getByLabel("Domain name").fill("a..example.com");
    await dialog.getByRole("button", { name: "Link domain" }).click();
    await dialog.getByRole("alert").waitFor();
    assert.equal(await dialog.getByLabel("Domain name").getAttribute("aria-invalid"), "true");
    await dialog.getByLabel("Domain name").fill(DOMAIN);
    assert.equal(await dialog.getByLabel(`Include www.${DOMAIN}`).isChecked(), true, "www is offered, checked as App Runner's API defaults");
    await dialog.getByRole("button", { name: "Link domain" }).click();
    await dialog.waitFor({ state: "detached" });

    // Pending: the tile shows App Runner's label and exactly the records the API lists.
    const tile = page.locator(`article[data-domain="${DOMAIN}"]`);
    const badge = tile.locator('.card-head [data-status="pending_certificate_dns_validation"]');
    await badge.waitFor();
    assert.equal((await badge.innerText()).trim(), "Pending certificate DNS validation");
    const targets = tile.getByRole("table", { name: `DNS target records for ${DOMAIN}` });
    for (const name of [DOMAIN, `www.${DOMAIN}`]) {
      const row = targets.locator(`tr[data-record="${name}"]`);
      assert.equal((await row.locator('[data-label="Type"]').innerText()).trim(), "CNAME");
      assert.match(await row.locator('[data-label="Value"]').innerText(), new RegExp(serviceUrl.replace(/\./g, "\\.")));
    }
    const described = await server.client.send(new DescribeCustomDomainsCommand({ ServiceArn: arn }));
    const records = described.CustomDomains?.[0]?.CertificateValidationRecords ?? [];
    assert.equal(records.length, 2, "the domain's and www's validation records");
    const validation = tile.getByRole("table", { name: `Certificate validation records for ${DOMAIN}` });
    const shownNames = await validation.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-record")));
    assert.deepEqual(shownNames, records.map((r) => r.Name));
    for (const r of records) {
      const row = validation.locator(`tr[data-record="${r.Name ?? ""}"]`);
      assert.match(await row.locator('[data-label="Value"]').innerText(), new RegExp((r.Value ?? "").replace(/\./g, "\\.")));
      assert.equal((await row.locator('[data-label="Status"] [data-status]').innerText()).trim(), "Pending validation");
    }
    await tile.getByRole("button", { name: `Copy record name ${records[0]?.Name ?? ""}` }).waitFor();

    // What the controller finds: why it waits, and one record's DNS check.
    const missing = `${records[0]?.Name ?? ""} has no CNAME record; create it pointing to ${records[0]?.Value ?? ""}`;
    record(arn, "pending_certificate_dns_validation", (doc) => ({
      ...doc,
      StatusMessage: "Waiting for the validation records of shop.example.com.",
      CertificateValidationRecords: (doc.CertificateValidationRecords ?? []).map((r, i) => (i === 0 ? { ...r, CheckResult: missing, CheckedAt: Date.now() / 1000 } : r)),
    }));
    await tile.getByTestId("status-message").filter({ hasText: "Waiting for the validation records of shop.example.com." }).waitFor();
    await validation.locator(`tr[data-record="${records[0]?.Name ?? ""}"] [data-label="Last check"]`).filter({ hasText: missing }).waitFor();

    // Active, its certificate expiring in 45 days and its renewal failing.
    const now = Date.now() / 1000;
    record(arn, "active", (doc) => ({
      ...doc,
      StatusMessage: undefined,
      CertificateValidationRecords: (doc.CertificateValidationRecords ?? []).map((r) => ({ ...r, Status: "SUCCESS", CheckResult: `${r.Name ?? ""} points to ${r.Value ?? ""}`, CheckedAt: now })),
      Certificate: {
        Issuer: "Pebble Intermediate CA 0d2b1f",
        NotBefore: now - 15 * DAY_S,
        NotAfter: now + 45 * DAY_S + DAY_S / 2,
        RenewAfter: now + DAY_S,
        RenewalStatus: "FAILING",
        RenewalMessage: "the CA answered urn:ietf:params:acme:error:rateLimited",
      },
    }));
    const active = tile.locator('.card-head [data-status="active"]');
    await active.waitFor();
    assert.equal((await active.innerText()).trim(), "Active");
    assert.equal(await tile.getByTestId("status-message").count(), 0);
    assert.match(await tile.locator('[data-fact="Expires"] dd').innerText(), /\(expires in 45 days\)$/);
    assert.equal((await tile.locator('[data-fact="Issuer"] dd').innerText()).trim(), "Pebble Intermediate CA 0d2b1f");
    assert.equal((await tile.locator('[data-fact="Renewal"] dd').innerText()).trim(), "Failing");
    assert.match(await tile.getByTestId("renewal-warning").innerText(), /failing: the CA answered urn:ietf:params:acme:error:rateLimited\. OpenRunner keeps retrying; the current certificate expires in 45 days\./);
    for (const r of records) {
      const row = validation.locator(`tr[data-record="${r.Name ?? ""}"]`);
      assert.equal((await row.locator('[data-label="Status"] [data-status]').innerText()).trim(), "Success");
      assert.match(await row.locator('[data-label="Last check"]').innerText(), /points to/);
    }

    // Unlink asks for the name first.
    await tile.getByRole("button", { name: `Unlink ${DOMAIN}` }).click();
    const unlink = page.getByRole("dialog", { name: `Unlink domain ${DOMAIN}?` });
    await unlink.getByLabel(`Type ${DOMAIN} to confirm`).fill(DOMAIN);
    await unlink.getByRole("button", { name: "Unlink" }).click();
    await page.getByText("No custom domains linked.").waitFor();
    await eventually(async () => ((await server.client.send(new DescribeCustomDomainsCommand({ ServiceArn: arn }))).CustomDomains?.length === 0 ? true : undefined));
  });
});
