import {
  CloudWatchClient,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  paginateListMetrics,
  type Metric,
} from "@aws-sdk/client-cloudwatch";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ApiCallRecord } from "../src/protocol/service-registry.js";
import { startMetricsServer, serviceDimensions, type MetricsServer } from "./support/metrics-fixture.js";
import { fetchHeaders, signRequest } from "./support/sigv4-signer.js";

const NS = "AWS/AppRunner";

describe("CloudWatch metrics through @aws-sdk/client-cloudwatch", () => {
  let server: MetricsServer;
  let cw: CloudWatchClient;
  const calls: ApiCallRecord[] = [];
  const date = (epochSeconds: number): Date => new Date(epochSeconds * 1000);

  before(async () => {
    server = await startMetricsServer({ onApiCall: (c) => calls.push(c) });
    cw = new CloudWatchClient({ endpoint: server.running.endpoint, region: "us-east-1", credentials: server.running.rootKey, maxAttempts: 1 });
  });
  after(async () => {
    cw.destroy();
    await server.close();
  });

  const statistics = (MetricName: string, more: Partial<ConstructorParameters<typeof GetMetricStatisticsCommand>[0]> = {}) =>
    cw.send(
      new GetMetricStatisticsCommand({
        Namespace: NS,
        MetricName,
        Dimensions: serviceDimensions(server.service),
        StartTime: date(server.t0),
        EndTime: date(server.t0 + 600),
        Period: 300,
        ...more,
      }),
    );

  it("GetMetricStatistics sums requests per period, in time order", async () => {
    const out = await statistics("Requests", { Statistics: ["Sum", "SampleCount", "Maximum"] });
    assert.equal(out.Label, "Requests");
    assert.deepEqual(
      out.Datapoints?.map((d) => [d.Timestamp?.getTime(), d.Sum, d.SampleCount, d.Maximum, d.Unit]),
      [
        [server.t0 * 1000, 6 * (1 + 2 + 3 + 4 + 5), 5, 30, "Count"],
        [(server.t0 + 300) * 1000, 6 * (6 + 7 + 8 + 9 + 10), 5, 60, "Count"],
      ],
    );
    const fourxx = await statistics("4xxStatusResponses", { Period: 600, Statistics: ["Sum"] });
    assert.equal(fourxx.Datapoints?.[0]?.Sum, 30);
  });

  it("GetMetricStatistics gives latency percentiles across minutes", async () => {
    const out = await statistics("RequestLatency", { Period: 600, ExtendedStatistics: ["p50", "p90", "p99"] });
    const ext = out.Datapoints?.[0]?.ExtendedStatistics ?? {};
    const near = (got: number | undefined, want: number): boolean => got !== undefined && Math.abs(got - want) / want < 0.05;
    assert.ok(near(ext.p50, 10), `p50 ${ext.p50}`);
    assert.ok(near(ext.p90, 500), `p90 ${ext.p90}`);
    assert.ok(near(ext.p99, 1000), `p99 ${ext.p99}`);
    assert.equal(out.Datapoints?.[0]?.Unit, "Milliseconds");
  });

  it("GetMetricStatistics answers instance metrics with the Instance dimension only", async () => {
    const Dimensions = [...serviceDimensions(server.service), { Name: "Instance", Value: "inst-1" }];
    const cpu = await statistics("CPUUtilization", { Dimensions, Period: 600, Statistics: ["Average", "Minimum", "Maximum"] });
    assert.deepEqual(cpu.Datapoints?.map((d) => [d.Average, d.Minimum, d.Maximum, d.Unit]), [[30, 20, 40, "Percent"]]);
    const serviceLevel = await statistics("CPUUtilization", { Period: 600, Statistics: ["Average"] });
    assert.deepEqual(serviceLevel.Datapoints, []);
  });

  it("GetMetricData answers several queries, newest first by default", async () => {
    const metric = (MetricName: string) => ({ Namespace: NS, MetricName, Dimensions: serviceDimensions(server.service) });
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: date(server.t0 + 480),
        EndTime: date(server.t0 + 600),
        MetricDataQueries: [
          { Id: "requests", MetricStat: { Metric: metric("Requests"), Period: 60, Stat: "Sum" } },
          { Id: "slowest", Label: "p99 latency", MetricStat: { Metric: metric("RequestLatency"), Period: 120, Stat: "p99" } },
          { Id: "active", MetricStat: { Metric: metric("ActiveInstances"), Period: 60, Stat: "Average" }, ReturnData: false },
        ],
      }),
    );
    const [requests, slowest, ...rest] = out.MetricDataResults ?? [];
    assert.equal(rest.length, 0, "ReturnData: false is not returned");
    assert.deepEqual(requests?.Timestamps?.map((t) => t.getTime()), [(server.t0 + 540) * 1000, (server.t0 + 480) * 1000]);
    assert.deepEqual(requests?.Values, [60, 54]);
    assert.equal(requests?.Label, "Requests");
    assert.equal(requests?.StatusCode, "Complete");
    assert.equal(slowest?.Label, "p99 latency");
    assert.ok(Math.abs((slowest?.Values?.[0] ?? 0) - 1000) < 50, `p99 ${slowest?.Values?.[0]}`);
    assert.equal(out.NextToken, undefined);
  });

  it("ListMetrics lists what has data, filtered by name and dimensions, page by page", async () => {
    const all: Metric[] = [];
    for await (const page of paginateListMetrics({ client: cw }, { Namespace: NS })) all.push(...(page.Metrics ?? []));
    assert.deepEqual(all.map((m) => m.MetricName).sort(), [
      "2xxStatusResponses",
      "4xxStatusResponses",
      "5xxStatusResponses",
      "ActiveInstances",
      "CPUUtilization",
      "MemoryUtilization",
      "RequestLatency",
      "Requests",
    ]);
    const cpu = await cw.send(new ListMetricsCommand({ MetricName: "CPUUtilization", Dimensions: [{ Name: "ServiceID", Value: server.service.serviceId }] }));
    assert.deepEqual(cpu.Metrics?.[0]?.Dimensions?.map((d) => d.Name), ["ServiceName", "ServiceID", "Instance"]);
    const none = await cw.send(new ListMetricsCommand({ Namespace: "AWS/EC2" }));
    assert.deepEqual(none.Metrics, []);
  });

  it("answers invalid requests with CloudWatch's modeled errors", async () => {
    const cases: [Promise<unknown>, string, RegExp][] = [
      [statistics("Requests", { Period: 90, Statistics: ["Sum"] }), "InvalidParameterValueException", /multiple of 60/],
      [statistics("Requests", { Period: 60, EndTime: date(server.t0 + 86_460), Statistics: ["Sum"] }), "InvalidParameterCombinationException", /limit of 1,440/],
      [statistics("Requests", {}), "InvalidParameterCombinationException", /Statistics and ExtendedStatistics/],
      [statistics("Requests", { Period: undefined, Statistics: ["Sum"] }), "MissingRequiredParameterException", /Period is required/],
      [cw.send(new ListMetricsCommand({ NextToken: "not-a-token" })), "InvalidNextToken", /NextToken/],
      [
        cw.send(new GetMetricDataCommand({ StartTime: date(server.t0), EndTime: date(server.t0 + 60), MetricDataQueries: [{ Id: "m", Expression: "SUM(METRICS())" }] })),
        "InvalidParameterValueException",
        /expressions are not supported/,
      ],
    ];
    for (const [call, name, message] of cases) {
      await assert.rejects(call, (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(err.name, name);
        assert.match(err.message, message);
        assert.equal(err.$metadata?.httpStatusCode, 400);
        return true;
      });
    }
  });

  it("serves the awsQuery protocol on the same port, signed for monitoring, and reports calls to the audit trail", async () => {
    const url = `${server.running.endpoint}/`;
    const post = async (body: string, credentials = server.running.rootKey, service = "monitoring") => {
      const headers = { "content-type": "application/x-www-form-urlencoded; charset=utf-8" };
      const signed = await signRequest({ url, body, headers, credentials, service });
      const res = await fetch(url, { method: "POST", body, headers: fetchHeaders(signed) });
      return { status: res.status, requestId: res.headers.get("x-amzn-requestid"), type: res.headers.get("content-type"), text: await res.text() };
    };
    const ok = await post(`Action=ListMetrics&Version=2010-08-01&MetricName=Requests`);
    assert.equal(ok.status, 200);
    assert.equal(ok.type, "text/xml");
    assert.match(ok.text, /^<ListMetricsResponse xmlns="http:\/\/monitoring\.amazonaws\.com\/doc\/2010-08-01\/"><ListMetricsResult><Metrics><member>/);
    assert.ok(ok.requestId && ok.text.includes(`<RequestId>${ok.requestId}</RequestId>`));

    const unknown = await post("Action=PutMetricAlarm&Version=2010-08-01");
    assert.equal(unknown.status, 400);
    assert.match(unknown.text, /<Error><Type>Sender<\/Type><Code>InvalidAction<\/Code>/);

    const badKey = await post("Action=ListMetrics&Version=2010-08-01", { accessKeyId: "AKIAUNKNOWN000000000", secretAccessKey: "x" });
    assert.equal(badKey.status, 403);
    assert.match(badKey.text, /<Code>InvalidClientTokenId<\/Code>/);

    const badSecret = await post("Action=ListMetrics&Version=2010-08-01", { ...server.running.rootKey, secretAccessKey: "wrong" });
    assert.equal(badSecret.status, 403);
    assert.match(badSecret.text, /<Code>SignatureDoesNotMatch<\/Code>/);

    const unsigned = await fetch(url, { method: "POST", body: "Action=ListMetrics&Version=2010-08-01", headers: { "content-type": "application/x-www-form-urlencoded" } });
    assert.equal(unsigned.status, 403);
    assert.match(await unsigned.text(), /<Code>MissingAuthenticationToken<\/Code>/);

    const otherService = await post("Action=ListMetrics&Version=2010-08-01", server.running.rootKey, "sqs");
    assert.equal(otherService.status, 403, "a form POST signed for another service is left to the JSON front door");
    assert.match(otherService.type ?? "", /json/);

    const audited = calls.find((c) => c.requestId === ok.requestId);
    assert.equal(audited?.api?.signingName, "monitoring");
    assert.equal(audited?.operation, "ListMetrics");
    assert.deepEqual(audited?.input, { MetricName: "Requests" });
    assert.equal(audited?.accessKeyId, server.running.rootKey.accessKeyId);
    assert.equal(calls.find((c) => c.requestId === badSecret.requestId)?.errorCode, "SignatureDoesNotMatch");
  });

  it("GET /metrics shows the services' counters in Prometheus text format", async () => {
    const res = await fetch(`${server.running.endpoint}/metrics`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    const labels = `service_name="metered",service_id="${server.service.serviceId}"`;
    assert.ok(text.includes(`openrunner_requests_total{${labels}} 330\n`), text);
    assert.ok(text.includes(`openrunner_responses_total{${labels},code="4xx"} 30\n`));
    assert.ok(text.includes(`openrunner_request_latency_seconds_count{${labels}} 330\n`));
    assert.ok(text.includes(`openrunner_active_instances{${labels}} 2\n`));
    assert.match(text, /^openrunner_api_calls_total\{api="monitoring",operation="GetMetricStatistics",error=""\} \d+$/m);
    assert.match(text, /^process_resident_memory_bytes \d+$/m);
  });
});
