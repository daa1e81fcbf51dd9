import {
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListRuleNamesByTargetCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TestEventPatternCommand,
} from "@aws-sdk/client-eventbridge";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eventsModule } from "../src/telemetry/events/module.js";
import { startInProcess, type InProcessServer } from "./support/harness.js";

const SOURCE_PATTERN = JSON.stringify({ source: ["aws.apprunner"] });
const HOOK = "http://127.0.0.1:9/hook";

/** Rejects with the named AWS error, whose message matches. */
async function rejectsWith(p: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (err: Error) => {
    assert.equal(err.name, name, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe("EventBridge API through @aws-sdk/client-eventbridge", () => {
  let server: InProcessServer;
  let events: EventBridgeClient;
  let account: string;

  before(async () => {
    server = await startInProcess({ modules: [eventsModule()] });
    const { endpoint, rootKey, config } = server.running;
    account = config.accountId;
    events = new EventBridgeClient({ endpoint, region: config.region, credentials: rootKey, maxAttempts: 1 });
  });
  after(async () => {
    events.destroy();
    await server.close();
  });

  it("creates, replaces, describes, lists, disables, enables and deletes rules", async () => {
    const put = await events.send(new PutRuleCommand({ Name: "app-runner", EventPattern: SOURCE_PATTERN, Description: "first" }));
    assert.equal(put.RuleArn, `arn:aws:events:us-east-1:${account}:rule/app-runner`);
    await events.send(
      new PutRuleCommand({ Name: "app-runner", EventPattern: SOURCE_PATTERN, State: "DISABLED", RoleArn: "arn:aws:iam::1:role/r" }),
    );
    const described = await events.send(new DescribeRuleCommand({ Name: "app-runner" }));
    assert.deepEqual(
      { ...described, $metadata: undefined },
      {
        $metadata: undefined,
        Name: "app-runner",
        Arn: put.RuleArn,
        EventPattern: SOURCE_PATTERN,
        State: "DISABLED",
        RoleArn: "arn:aws:iam::1:role/r",
        EventBusName: "default",
        CreatedBy: account,
      },
      "PutRule replaces the rule: the description left out is cleared",
    );
    await events.send(new EnableRuleCommand({ Name: "app-runner" }));
    assert.equal((await events.send(new DescribeRuleCommand({ Name: "app-runner" }))).State, "ENABLED");
    await events.send(new DisableRuleCommand({ Name: "app-runner", EventBusName: `arn:aws:events:us-east-1:${account}:event-bus/default` }));
    assert.equal((await events.send(new DescribeRuleCommand({ Name: "app-runner" }))).State, "DISABLED");

    for (const name of ["list-b", "list-a", "list-c"]) await events.send(new PutRuleCommand({ Name: name, EventPattern: SOURCE_PATTERN }));
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await events.send(new ListRulesCommand({ NamePrefix: "list-", Limit: 2, NextToken: token }));
      assert.ok((page.Rules?.length ?? 0) <= 2);
      names.push(...(page.Rules ?? []).map((r) => r.Name ?? ""));
      token = page.NextToken;
    } while (token);
    assert.deepEqual(names, ["list-a", "list-b", "list-c"], "in name order, over pages");
    const all = await events.send(new ListRulesCommand({}));
    assert.ok(all.Rules?.some((r) => r.Name === "app-runner" && r.State === "DISABLED" && r.Arn === put.RuleArn));

    await events.send(new DeleteRuleCommand({ Name: "list-a" }));
    await rejectsWith(events.send(new DescribeRuleCommand({ Name: "list-a" })), "ResourceNotFoundException", /Rule list-a does not exist/);
    await events.send(new DeleteRuleCommand({ Name: "list-a" }));
  });

  it("refuses what EventBridge refuses, with its error names", async () => {
    await rejectsWith(
      events.send(new PutRuleCommand({ Name: "cron", ScheduleExpression: "rate(5 minutes)" })),
      "ValidationException",
      /ScheduleExpression is not supported/,
    );
    await rejectsWith(events.send(new PutRuleCommand({ Name: "nothing" })), "ValidationException", /EventPattern or ScheduleExpression/);
    await rejectsWith(
      events.send(new PutRuleCommand({ Name: "bad", EventPattern: '{"source": "aws.apprunner"}' })),
      "InvalidEventPatternException",
      /Event pattern is not valid\. Reason: "source" must be an object or an array/,
    );
    await rejectsWith(
      events.send(new PutRuleCommand({ Name: "bad name!", EventPattern: SOURCE_PATTERN })),
      "ValidationException",
      /1 validation error detected: Value 'bad name!' at 'name' failed to satisfy constraint/,
    );
    await rejectsWith(
      events.send(new PutRuleCommand({ Name: "r", EventPattern: SOURCE_PATTERN, EventBusName: "custom" })),
      "ResourceNotFoundException",
      /Event bus custom does not exist/,
    );
    await rejectsWith(events.send(new DescribeRuleCommand({ Name: "missing" })), "ResourceNotFoundException");
    await rejectsWith(events.send(new EnableRuleCommand({ Name: "missing" })), "ResourceNotFoundException");
    await rejectsWith(events.send(new DisableRuleCommand({ Name: "missing" })), "ResourceNotFoundException");
    await rejectsWith(events.send(new ListRulesCommand({ NextToken: "not-ours" })), "ValidationException", /NextToken/);
    await rejectsWith(events.send(new ListRulesCommand({ Limit: 0 })), "ValidationException", /greater than or equal to 1/);
    await rejectsWith(events.send(new ListTargetsByRuleCommand({ Rule: "missing" })), "ResourceNotFoundException");
    await rejectsWith(events.send(new PutTargetsCommand({ Rule: "missing", Targets: [{ Id: "1", Arn: HOOK }] })), "ResourceNotFoundException");
    await rejectsWith(events.send(new RemoveTargetsCommand({ Rule: "missing", Ids: ["1"] })), "ResourceNotFoundException");
    await rejectsWith(events.send(new DescribeEventBusCommand({ Name: "custom" })), "ResourceNotFoundException");
  });

  it("puts, lists, finds and removes targets, reporting bad ones per entry", async () => {
    await events.send(new PutRuleCommand({ Name: "targets", EventPattern: SOURCE_PATTERN }));
    const put = await events.send(
      new PutTargetsCommand({
        Rule: "targets",
        Targets: [
          { Id: "hook", Arn: HOOK, InputPath: "$.detail" },
          { Id: "constant", Arn: "https://hooks.example.com/x", Input: '{"hello":"world"}' },
          { Id: "api-destination", Arn: `arn:aws:events:us-east-1:${account}:api-destination/d/0123` },
          { Id: "lambda", Arn: "arn:aws:lambda:us-east-1:1:function:f" },
          { Id: "bad-input", Arn: HOOK, Input: "{not json" },
        ],
      }),
    );
    assert.equal(put.FailedEntryCount, 3);
    assert.deepEqual(
      put.FailedEntries?.map((f) => [f.TargetId, f.ErrorCode]),
      [
        ["api-destination", "ValidationException"],
        ["lambda", "ValidationException"],
        ["bad-input", "ValidationException"],
      ],
    );
    assert.match(put.FailedEntries?.[0]?.ErrorMessage ?? "", /HTTP and HTTPS endpoints only/);

    const first = await events.send(new ListTargetsByRuleCommand({ Rule: "targets", Limit: 1 }));
    assert.deepEqual(first.Targets, [{ Id: "constant", Arn: "https://hooks.example.com/x", Input: '{"hello":"world"}' }]);
    const second = await events.send(new ListTargetsByRuleCommand({ Rule: "targets", Limit: 1, NextToken: first.NextToken }));
    assert.deepEqual(second.Targets, [{ Id: "hook", Arn: HOOK, InputPath: "$.detail" }]);
    assert.equal(second.NextToken, undefined);
    const byTarget = await events.send(new ListRuleNamesByTargetCommand({ TargetArn: HOOK }));
    assert.deepEqual(byTarget.RuleNames, ["targets"]);

    await rejectsWith(events.send(new DeleteRuleCommand({ Name: "targets" })), "ValidationException", /has targets/);
    const many = Array.from({ length: 4 }, (_, i) => ({ Id: `more-${i}`, Arn: HOOK }));
    await rejectsWith(events.send(new PutTargetsCommand({ Rule: "targets", Targets: many })), "LimitExceededException");
    await rejectsWith(
      events.send(new PutTargetsCommand({ Rule: "targets", Targets: [] })),
      "ValidationException",
      /at 'targets' failed to satisfy constraint: Member must have length greater than or equal to 1/,
    );

    const removed = await events.send(new RemoveTargetsCommand({ Rule: "targets", Ids: ["hook", "constant", "never-there"] }));
    assert.equal(removed.FailedEntryCount, 1);
    assert.deepEqual(removed.FailedEntries?.map((f) => [f.TargetId, f.ErrorCode]), [["never-there", "ResourceNotFoundException"]]);
    assert.deepEqual((await events.send(new ListTargetsByRuleCommand({ Rule: "targets" }))).Targets, []);
    await events.send(new DeleteRuleCommand({ Name: "targets" }));
  });

  it("tests event patterns", async () => {
    const event = JSON.stringify({
      id: "1",
      account,
      source: "aws.apprunner",
      time: "2026-01-01T00:00:00Z",
      region: "us-east-1",
      resources: [],
      "detail-type": "AppRunner Service Status Change",
      detail: { CurrentStatus: "RUNNING", Severity: "INFO" },
    });
    const yes = await events.send(
      new TestEventPatternCommand({ EventPattern: '{"detail": {"CurrentStatus": [{"anything-but": "DELETED"}]}}', Event: event }),
    );
    assert.equal(yes.Result, true);
    const no = await events.send(new TestEventPatternCommand({ EventPattern: '{"detail": {"Severity": ["ERROR"]}}', Event: event }));
    assert.equal(no.Result, false);
    await rejectsWith(
      events.send(new TestEventPatternCommand({ EventPattern: '{"a": [{"numeric": [">", "x"]}]}', Event: event })),
      "InvalidEventPatternException",
      /Value of > must be numeric/,
    );
    await rejectsWith(
      events.send(new TestEventPatternCommand({ EventPattern: SOURCE_PATTERN, Event: '{"source": "aws.apprunner"}' })),
      "ValidationException",
      /Parameter Event is not valid/,
    );
  });

  it("puts custom events, failing bad entries one by one", async () => {
    const ok = { Source: "my.app", DetailType: "Order Placed", Detail: '{"order": 1}' };
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          ok,
          { Source: "my.app", DetailType: "No detail" },
          { ...ok, Source: "aws.apprunner" },
          { ...ok, Detail: "[1, 2]" },
          { ...ok, EventBusName: "custom" },
        ],
      }),
    );
    assert.equal(out.FailedEntryCount, 4);
    assert.match(out.Entries?.[0]?.EventId ?? "", /^[0-9a-f-]{36}$/);
    assert.deepEqual(
      out.Entries?.slice(1).map((e) => e.ErrorCode),
      ["InvalidArgument", "NotAuthorizedForSourceException", "MalformedDetail", "ResourceNotFoundException"],
    );
    await rejectsWith(events.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => ok) })), "ValidationException");
  });

  it("describes and lists the default event bus", async () => {
    const arn = `arn:aws:events:us-east-1:${account}:event-bus/default`;
    const bus = await events.send(new DescribeEventBusCommand({}));
    assert.deepEqual([bus.Name, bus.Arn], ["default", arn]);
    assert.deepEqual((await events.send(new ListEventBusesCommand({}))).EventBuses, [{ Name: "default", Arn: arn }]);
    assert.deepEqual((await events.send(new ListEventBusesCommand({ NamePrefix: "other" }))).EventBuses, []);
  });
});
