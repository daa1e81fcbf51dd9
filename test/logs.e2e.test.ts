import { CreateServiceCommand, DescribeServiceCommand } from "@aws-sdk/client-apprunner";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  paginateDescribeLogGroups,
  paginateFilterLogEvents,
  paginateGetLogEvents,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  type FilterLogEventsCommandInput,
  type FilteredLogEvent,
} from "@aws-sdk/client-cloudwatch-logs";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { applicationLogGroup, instanceStream, serviceLogGroup } from "../src/telemetry/log-groups.js";
import { createLogsModule, type LogsModule } from "../src/telemetry/logs/module.js";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";

const DAY = 86_400_000;
const image = { ImageIdentifier: "127.0.0.1:5000/hello:latest", ImageRepositoryType: "ECR_PUBLIC" as const };

/** Rejects with the AWS exception name the client saw. */
async function errorName(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as Error).name;
  }
  return "no error";
}

describe("CloudWatch Logs API through @aws-sdk/client-cloudwatch-logs", () => {
  let server: InProcessServer;
  let logsModule: LogsModule | undefined;
  let logs: CloudWatchLogsClient;
  const module = (): LogsModule => {
    assert.ok(logsModule, "the logs module runs");
    return logsModule;
  };
  let service: { name: string; id: string; operationId: string };

  before(async () => {
    server = await startInProcess({
      modules: [
        (deps) => {
          logsModule = createLogsModule(deps);
          return logsModule;
        },
      ],
    });
    const { running } = server;
    logs = new CloudWatchLogsClient({ endpoint: running.endpoint, region: running.config.region, credentials: running.rootKey, maxAttempts: 1 });
    const created = await server.client.send(new CreateServiceCommand({ ServiceName: "logs-app", SourceConfiguration: { ImageRepository: image } }));
    const arn = created.Service?.ServiceArn ?? "";
    service = { name: "logs-app", id: created.Service?.ServiceId ?? "", operationId: created.OperationId ?? "" };
    // The default runtime is unavailable: the deployment fails, and says so in its stream.
    await eventually(async () => {
      const s = await server.client.send(new DescribeServiceCommand({ ServiceArn: arn }));
      return s.Service?.Status === "CREATE_FAILED" ? true : undefined;
    });
  });
  after(async () => {
    logs.destroy();
    await server.close();
  });

  it("has the service's log group with its events and deployment streams", async () => {
    const group = serviceLogGroup(service.name, service.id);
    const out = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/aws/apprunner/logs-app/" }));
    const g = out.logGroups?.find((x) => x.logGroupName === group);
    assert.ok(g, JSON.stringify(out.logGroups));
    const { region, accountId } = server.running.config;
    assert.equal(g.arn, `arn:aws:logs:${region}:${accountId}:log-group:${group}:*`);
    assert.equal(g.logGroupArn, `arn:aws:logs:${region}:${accountId}:log-group:${group}`);
    assert.ok((g.storedBytes ?? 0) > 0);
    assert.equal(g.retentionInDays, undefined);

    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: group }));
    const names = streams.logStreams?.map((s) => s.logStreamName);
    assert.deepEqual(names, [`deployment/${service.operationId}`, "events"]);
    const deployment = await logs.send(
      new GetLogEventsCommand({ logGroupName: group, logStreamName: `deployment/${service.operationId}`, startFromHead: true }),
    );
    const messages = deployment.events?.map((e) => e.message ?? "") ?? [];
    assert.ok(messages.some((m) => m.includes("No runtime is available")), messages.join("\n"));
    const events = await logs.send(new GetLogEventsCommand({ logGroupIdentifier: g.logGroupArn, logStreamName: "events" }));
    assert.ok(events.events?.every((e) => e.message?.startsWith("[AppRunner] ")));
  });

  it("pages GetLogEvents both ways, and its forward token repeats at the end of the stream", async () => {
    const group = applicationLogGroup(service.name, service.id);
    const stream = instanceStream("paging");
    const t0 = Date.now() - 60_000;
    module().logSink.append(group, stream, Array.from({ length: 25 }, (_, i) => ({ timestamp: t0 + i, message: `line ${i}` })));
    const seen: string[] = [];
    for await (const page of paginateGetLogEvents({ client: logs, pageSize: 10, stopOnSameToken: true }, { logGroupName: group, logStreamName: stream, startFromHead: true })) {
      seen.push(...(page.events ?? []).map((e) => e.message ?? ""));
    }
    assert.deepEqual(seen, Array.from({ length: 25 }, (_, i) => `line ${i}`));

    // Without a token: the newest events, then backwards.
    const newest = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, limit: 10 }));
    assert.deepEqual(newest.events?.map((e) => e.message), Array.from({ length: 10 }, (_, i) => `line ${15 + i}`));
    const older = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, limit: 10, nextToken: newest.nextBackwardToken }));
    assert.deepEqual(older.events?.map((e) => e.message), Array.from({ length: 10 }, (_, i) => `line ${5 + i}`));
    const end = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, nextToken: newest.nextForwardToken }));
    assert.deepEqual(end.events, []);
    assert.equal(end.nextForwardToken, newest.nextForwardToken, "no new events: the same forward token");

    // A new line shows up after that token; a time range bounds the read (endTime exclusive).
    module().logSink.append(group, stream, [{ timestamp: t0 + 100, message: "late" }]);
    const more = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, nextToken: end.nextForwardToken }));
    assert.deepEqual(more.events?.map((e) => e.message), ["late"]);
    const ranged = await logs.send(
      new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startTime: t0 + 3, endTime: t0 + 6, startFromHead: true }),
    );
    assert.deepEqual(ranged.events?.map((e) => e.message), ["line 3", "line 4", "line 5"]);
  });

  it("filters a group's events with term, JSON and space-delimited patterns, across streams", async () => {
    const group = applicationLogGroup(service.name, "filter");
    const t0 = Date.now() - 30_000;
    module().logSink.append(group, instanceStream("a"), [
      { timestamp: t0, message: '{"level":"error","latency":250,"path":"/x"}' },
      { timestamp: t0 + 2, message: "GET /index.html 200 512" },
      { timestamp: t0 + 4, message: "ERROR disk full" },
    ]);
    module().logSink.append(group, instanceStream("b"), [
      { timestamp: t0 + 1, message: '{"level":"info","latency":20}' },
      { timestamp: t0 + 3, message: "POST /api 503 2048" },
      { timestamp: t0 + 5, message: "WARN retrying" },
    ]);
    const filter = async (input: Omit<FilterLogEventsCommandInput, "logGroupName">): Promise<FilteredLogEvent[]> =>
      (await logs.send(new FilterLogEventsCommand({ logGroupName: group, ...input }))).events ?? [];
    const messages = async (filterPattern: string, extra: Omit<FilterLogEventsCommandInput, "logGroupName"> = {}): Promise<(string | undefined)[]> =>
      (await filter({ filterPattern, ...extra })).map((e) => e.message);

    const all = await filter({});
    assert.equal(all.length, 6);
    assert.deepEqual(all.map((e) => e.timestamp), [0, 1, 2, 3, 4, 5].map((d) => t0 + d), "interleaved by time");
    assert.deepEqual(all.map((e) => e.logStreamName), ["a", "b", "a", "b", "a", "b"].map(instanceStream));
    assert.ok(all.every((e) => e.eventId && e.ingestionTime));
    assert.deepEqual(await messages("ERROR"), ["ERROR disk full"]);
    assert.deepEqual(await messages("?ERROR ?WARN"), ["ERROR disk full", "WARN retrying"]);
    assert.deepEqual(await messages('"disk full" -WARN'), ["ERROR disk full"]);
    assert.deepEqual(await messages('{ $.level = "error" }'), ['{"level":"error","latency":250,"path":"/x"}']);
    assert.deepEqual(await messages("{ $.latency > 100 || $.level = info }"), ['{"level":"error","latency":250,"path":"/x"}', '{"level":"info","latency":20}']);
    assert.deepEqual(await messages("[method, path, status = 5*, size > 1000]"), ["POST /api 503 2048"]);
    assert.deepEqual(await messages("", { logStreamNames: [instanceStream("b")], startTime: t0 + 2, endTime: t0 + 5 }), ["POST /api 503 2048", "WARN retrying"]);
    assert.deepEqual(await messages("", { logStreamNamePrefix: "instance/a", endTime: t0 + 2 }), ['{"level":"error","latency":250,"path":"/x"}', "GET /index.html 200 512"]);
    const searched = await logs.send(new FilterLogEventsCommand({ logGroupName: group, logStreamNamePrefix: "instance/" }));
    assert.deepEqual(searched.searchedLogStreams?.map((s) => [s.logStreamName, s.searchedCompletely]), [[instanceStream("a"), true], [instanceStream("b"), true]]);

    // Paging: small pages add up to the whole answer, in order, and end without a token.
    const paged: string[] = [];
    for await (const page of paginateFilterLogEvents({ client: logs, pageSize: 4 }, { logGroupName: group })) {
      paged.push(...(page.events ?? []).map((e) => e.message ?? ""));
    }
    assert.deepEqual(paged, all.map((e) => e.message));

    assert.equal(await errorName(filter({ filterPattern: "{ $.level = " })), "InvalidParameterException");
    assert.equal(await errorName(filter({ logStreamNames: ["x"], logStreamNamePrefix: "y" })), "InvalidParameterException");
    assert.equal(await errorName(logs.send(new FilterLogEventsCommand({ logGroupName: "/no/such/group" }))), "ResourceNotFoundException");
    assert.equal(await errorName(filter({ nextToken: "not-a-token" })), "InvalidParameterException");
  });

  it("creates groups and streams, takes PutLogEvents, and pages DescribeLogGroups / DescribeLogStreams", async () => {
    for (const n of ["c", "a", "e", "b", "d"]) await logs.send(new CreateLogGroupCommand({ logGroupName: `/paging/${n}` }));
    assert.equal(await errorName(logs.send(new CreateLogGroupCommand({ logGroupName: "/paging/a" }))), "ResourceAlreadyExistsException");
    assert.equal(await errorName(logs.send(new CreateLogGroupCommand({ logGroupName: "bad name!" }))), "InvalidParameterException");
    const names: string[] = [];
    for await (const page of paginateDescribeLogGroups({ client: logs, pageSize: 2 }, { logGroupNamePrefix: "/paging/" })) {
      assert.ok((page.logGroups?.length ?? 0) <= 2);
      names.push(...(page.logGroups ?? []).map((g) => g.logGroupName ?? ""));
    }
    assert.deepEqual(names, ["a", "b", "c", "d", "e"].map((n) => `/paging/${n}`));

    const group = "/paging/a";
    const now = Date.now();
    for (const [i, s] of ["s1", "s2", "s3"].entries()) {
      await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: s }));
      // s1 gets the newest event, s3 the oldest.
      await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: s, logEvents: [{ timestamp: now - i * 1000, message: `hello ${s}` }] }));
    }
    assert.equal(await errorName(logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "s1" }))), "ResourceAlreadyExistsException");
    const byTime = await logs.send(new DescribeLogStreamsCommand({ logGroupName: group, orderBy: "LastEventTime", descending: true, limit: 2 }));
    assert.deepEqual(byTime.logStreams?.map((s) => s.logStreamName), ["s1", "s2"]);
    const rest = await logs.send(new DescribeLogStreamsCommand({ logGroupName: group, orderBy: "LastEventTime", descending: true, limit: 2, nextToken: byTime.nextToken }));
    assert.deepEqual(rest.logStreams?.map((s) => s.logStreamName), ["s3"]);
    assert.equal(rest.nextToken, undefined);
    const s1 = byTime.logStreams?.[0];
    assert.equal(s1?.firstEventTimestamp, now);
    assert.equal(s1?.lastEventTimestamp, now);
    assert.ok((s1?.lastIngestionTime ?? 0) > 0);
    assert.equal(
      await errorName(logs.send(new DescribeLogStreamsCommand({ logGroupName: group, orderBy: "LastEventTime", logStreamNamePrefix: "s" }))),
      "InvalidParameterException",
    );

    const put = (logEvents: { timestamp: number; message: string }[]): Promise<unknown> =>
      logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: "s1", logEvents }));
    assert.equal(await errorName(put([{ timestamp: now, message: "b" }, { timestamp: now - 1, message: "a" }])), "InvalidParameterException");
    assert.equal(await errorName(put([{ timestamp: now - 2 * DAY, message: "a" }, { timestamp: now, message: "b" }])), "InvalidParameterException");
    type Put = { rejectedLogEventsInfo?: Record<string, number> };
    assert.deepEqual(((await put([{ timestamp: now - 15 * DAY, message: "old" }])) as Put).rejectedLogEventsInfo, { tooOldLogEventEndIndex: 1 });
    const rejected = (await put([{ timestamp: now, message: "ok" }, { timestamp: now + 3 * 3_600_000, message: "future" }])) as Put;
    assert.deepEqual(rejected.rejectedLogEventsInfo, { tooNewLogEventStartIndex: 1 });
    const stored = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "s1", startFromHead: true }));
    assert.deepEqual(stored.events?.map((e) => e.message), ["hello s1", "ok"]);
    assert.equal(
      await errorName(logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: "nope", logEvents: [{ timestamp: now, message: "x" }] }))),
      "ResourceNotFoundException",
    );

    await logs.send(new DeleteLogStreamCommand({ logGroupName: group, logStreamName: "s2" }));
    const left = await logs.send(new DescribeLogStreamsCommand({ logGroupName: group }));
    assert.deepEqual(left.logStreams?.map((s) => s.logStreamName), ["s1", "s3"]);
    await logs.send(new DeleteLogGroupCommand({ logGroupName: group }));
    assert.equal(await errorName(logs.send(new DeleteLogGroupCommand({ logGroupName: group }))), "ResourceNotFoundException");
    assert.equal(await errorName(logs.send(new DescribeLogStreamsCommand({ logGroupName: group }))), "ResourceNotFoundException");
    const swept = await module().sweepNow();
    assert.ok(swept && swept.purgesCompleted >= 2, "the deleted group's and stream's events are purged");
  });

  it("keeps events for the retention policy's days and sweeps older ones away", async () => {
    const group = "/retention/app";
    const now = Date.now();
    module().logSink.append(group, "s", [
      ...Array.from({ length: 20 }, (_, i) => ({ timestamp: now - 3 * DAY + i, message: `old ${i}` })),
      { timestamp: now - 1000, message: "fresh" },
    ]);
    assert.equal(await errorName(logs.send(new PutRetentionPolicyCommand({ logGroupName: group, retentionInDays: 2 }))), "InvalidParameterException");
    assert.equal(await errorName(logs.send(new PutRetentionPolicyCommand({ logGroupName: "/none", retentionInDays: 1 }))), "ResourceNotFoundException");
    const before = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }))).logGroups?.[0];
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: group, retentionInDays: 1 }));
    const swept = await module().sweepNow();
    assert.equal(swept?.deletedEvents, 20);
    const after = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }))).logGroups?.[0];
    assert.equal(after?.retentionInDays, 1);
    assert.equal(after?.storedBytes, "fresh".length);
    assert.ok((before?.storedBytes ?? 0) > (after?.storedBytes ?? 0));
    const left = await logs.send(new FilterLogEventsCommand({ logGroupName: group }));
    assert.deepEqual(left.events?.map((e) => e.message), ["fresh"]);
    // PutLogEvents refuses what the policy would expire at once.
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "put" }));
    const put = await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: "put", logEvents: [{ timestamp: now - 2 * DAY, message: "too old for 1 day" }] }));
    assert.deepEqual(put.rejectedLogEventsInfo, { expiredLogEventEndIndex: 1 });

    await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: group }));
    const cleared = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }))).logGroups?.[0];
    assert.equal(cleared?.retentionInDays, undefined);
  });
});
