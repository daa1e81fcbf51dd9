import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ListServicesCommand } from "@aws-sdk/client-apprunner";
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand, IAMClient } from "@aws-sdk/client-iam";
import { createIamModule, iamModule } from "../src/iam-api/module.js";
import { DEFAULT_MODULES } from "../src/server.js";
import { appRunnerClient, eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { ScriptedRuntimeDriver } from "./support/scripted-driver.js";

/*
 * A key's last use is noted in memory on every call and written by the IAM module's own timer:
 * this waits for that timer in a running server, without asking IAM (whose
 * GetAccessKeyLastUsed writes the notes itself first).
 */
describe("access keys' last use reaches the store through its own timer", () => {
  let server: InProcessServer;
  let iam: IAMClient;

  before(async () => {
    // The module's own timer, at a test's period (the default is 10 s).
    server = await startInProcess({ driver: new ScriptedRuntimeDriver(), modules: DEFAULT_MODULES.map((m) => (m === createIamModule ? iamModule({ lastUsedFlushMs: 500 }) : m)) });
    iam = new IAMClient({ endpoint: server.running.endpoint, region: server.running.config.region, credentials: server.running.rootKey, maxAttempts: 1 });
  });
  after(async () => {
    iam?.destroy();
    await server?.close();
  });

  it("a user's call to App Runner is in access_keys within the flush period, as apprunner in the server's region", async () => {
    await iam.send(new CreateUserCommand({ UserName: "reader" }));
    await iam.send(new AttachUserPolicyCommand({ UserName: "reader", PolicyArn: "arn:aws:iam::aws:policy/AWSAppRunnerReadOnlyAccess" }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "reader" }))).AccessKey;
    const reader = appRunnerClient(server.running.endpoint, { accessKeyId: key?.AccessKeyId ?? "", secretAccessKey: key?.SecretAccessKey ?? "" }, server.running.config.region);
    try {
      await reader.send(new ListServicesCommand({}));
    } finally {
      reader.destroy();
    }
    const read = server.running.store.db.prepare(`SELECT last_used_at, last_used_service, last_used_region FROM access_keys WHERE access_key_id = ?`);
    const row = await eventually(async () => {
      const r = read.get(key?.AccessKeyId) as { last_used_at: number | null; last_used_service: string | null; last_used_region: string | null } | undefined;
      return r?.last_used_at ? r : undefined;
    }, 30_000, 250);
    assert.equal(row.last_used_service, "apprunner");
    assert.equal(row.last_used_region, server.running.config.region);
  });
});
