import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { eventsModule } from "../src/telemetry/events/module.js";
import { startInProcess, type InProcessServer } from "./support/harness.js";
import { awsCliEnv } from "./support/aws-cli.js";

/** Debian's AWS CLI v2 package; the pyenv shim earlier on PATH is a different (v1) CLI. */
const AWS = "/usr/bin/aws";

describe("aws events (CLI v2) against OpenRunner", { skip: existsSync(AWS) ? false : `${AWS} is not installed` }, () => {
  let server: InProcessServer;

  before(async () => {
    server = await startInProcess({ modules: [eventsModule()] });
  });
  after(async () => server.close());

  /** `aws events ...` with only the server's own credential and config files, bounded by a timeout. */
  function awsEvents(...args: string[]): Promise<Record<string, unknown>> {
    const env = awsCliEnv(server.running.files);
    const argv = ["events", ...args, "--endpoint-url", server.running.endpoint, "--profile", "openrunner", "--output", "json"];
    return new Promise((resolve, reject) => {
      execFile(AWS, argv, { env, timeout: 60_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`aws events ${args[0]} failed: ${stderr}`));
        else resolve(stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : {});
      });
    });
  }

  it("puts a rule and a target, lists rules and tests a pattern", async () => {
    const pattern = JSON.stringify({ source: ["aws.apprunner"], "detail-type": ["AppRunner Service Status Change"] });
    const rule = await awsEvents("put-rule", "--name", "cli-rule", "--event-pattern", pattern, "--description", "from the CLI");
    assert.equal(rule.RuleArn, `arn:aws:events:us-east-1:${server.running.config.accountId}:rule/cli-rule`);

    const targets = await awsEvents("put-targets", "--rule", "cli-rule", "--targets", JSON.stringify([{ Id: "hook", Arn: "http://127.0.0.1:9/hook" }]));
    assert.deepEqual(targets, { FailedEntryCount: 0, FailedEntries: [] });

    const listed = await awsEvents("list-rules", "--name-prefix", "cli-");
    assert.deepEqual(listed.Rules, [
      {
        Name: "cli-rule",
        Arn: rule.RuleArn,
        EventPattern: pattern,
        State: "ENABLED",
        Description: "from the CLI",
        EventBusName: "default",
      },
    ]);

    const event = JSON.stringify({
      id: "1",
      account: server.running.config.accountId,
      source: "aws.apprunner",
      time: "2026-01-01T00:00:00Z",
      region: "us-east-1",
      resources: [],
      "detail-type": "AppRunner Service Status Change",
      detail: {},
    });
    assert.deepEqual(await awsEvents("test-event-pattern", "--event-pattern", pattern, "--event", event), { Result: true });
  });
});
