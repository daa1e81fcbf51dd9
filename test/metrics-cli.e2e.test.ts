import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { startMetricsServer, type MetricsServer } from "./support/metrics-fixture.js";
import { awsCliEnv, runAwsCli, type CliResult } from "./support/aws-cli.js";

/** Debian's AWS CLI v2 (awsQuery for CloudWatch); the pyenv shim earlier on PATH is a different (v1) CLI. */
const AWS = "/usr/bin/aws";


describe("aws cloudwatch (CLI v2, awsQuery) against OpenRunner", { skip: existsSync(AWS) ? false : `${AWS} is not installed` }, () => {
  let server: MetricsServer;

  before(async () => {
    server = await startMetricsServer();
  });
  after(async () => server.close());

  /** `aws cloudwatch ...` with only the server's credential and config files (bounded by a timeout). */
  function cw(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
    const argv = ["cloudwatch", ...args, "--endpoint-url", server.running.endpoint, "--output", "json"];
    if (!extraEnv.AWS_ACCESS_KEY_ID) argv.push("--profile", "openrunner");
    return runAwsCli(argv, awsCliEnv(server.running.files, extraEnv));
  }

  async function json(args: string[]): Promise<Record<string, unknown>> {
    const r = await cw(args);
    assert.equal(r.code, 0, `aws cloudwatch ${args.join(" ")} exited ${r.code}:\n${r.stderr}`);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  }

  const iso = (epochSeconds: number): string => new Date(epochSeconds * 1000).toISOString();
  const dims = (): string[] => [`Name=ServiceName,Value=${server.service.serviceName}`, `Name=ServiceID,Value=${server.service.serviceId}`];

  it("get-metric-statistics with statistics and percentiles", async () => {
    const range = ["--start-time", iso(server.t0), "--end-time", iso(server.t0 + 600), "--period", "600"];
    const sums = await json(["get-metric-statistics", "--namespace", "AWS/AppRunner", "--metric-name", "Requests", "--dimensions", ...dims(), ...range, "--statistics", "Sum", "Average"]);
    assert.equal(sums.Label, "Requests");
    const [point] = sums.Datapoints as Record<string, unknown>[];
    assert.equal(point?.Sum, 330);
    assert.equal(point?.Average, 33);
    assert.equal(point?.Unit, "Count");
    assert.equal(Date.parse(String(point?.Timestamp)), server.t0 * 1000, "the CLI parsed the XML timestamp");

    const latency = await json(["get-metric-statistics", "--namespace", "AWS/AppRunner", "--metric-name", "RequestLatency", "--dimensions", ...dims(), ...range, "--extended-statistics", "p50", "p99"]);
    const ext = (latency.Datapoints as { ExtendedStatistics: Record<string, number> }[])[0]?.ExtendedStatistics;
    assert.ok(ext && Math.abs((ext.p50 ?? 0) - 10) < 0.5 && Math.abs((ext.p99 ?? 0) - 1000) < 50, JSON.stringify(ext));
  });

  it("get-metric-data with a JSON list of queries", async () => {
    const queries = JSON.stringify([
      {
        Id: "cpu",
        MetricStat: {
          Metric: {
            Namespace: "AWS/AppRunner",
            MetricName: "CPUUtilization",
            Dimensions: [
              { Name: "ServiceName", Value: server.service.serviceName },
              { Name: "ServiceID", Value: server.service.serviceId },
              { Name: "Instance", Value: "inst-1" },
            ],
          },
          Period: 300,
          Stat: "Maximum",
        },
      },
    ]);
    const out = await json(["get-metric-data", "--metric-data-queries", queries, "--start-time", iso(server.t0), "--end-time", iso(server.t0 + 600), "--scan-by", "TimestampAscending"]);
    const [cpu] = out.MetricDataResults as Record<string, unknown>[];
    assert.equal(cpu?.Id, "cpu");
    assert.deepEqual(cpu?.Values, [40, 40]);
    assert.deepEqual((cpu?.Timestamps as string[]).map((t) => Date.parse(t)), [server.t0 * 1000, (server.t0 + 300) * 1000]);
    assert.equal(cpu?.StatusCode, "Complete");
  });

  it("list-metrics with dimension filters", async () => {
    const out = await json(["list-metrics", "--namespace", "AWS/AppRunner", "--dimensions", "Name=Instance"]);
    const names = (out.Metrics as { MetricName: string }[]).map((m) => m.MetricName).sort();
    assert.deepEqual(names, ["CPUUtilization", "MemoryUtilization"]);
  });

  it("shows CloudWatch's error codes: InvalidParameterValue, InvalidClientTokenId, SignatureDoesNotMatch", async () => {
    const bad = await cw(["get-metric-statistics", "--namespace", "AWS/AppRunner", "--metric-name", "Requests", "--start-time", iso(server.t0), "--end-time", iso(server.t0 + 60), "--period", "45", "--statistics", "Sum"]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /\(InvalidParameterValue\) when calling the GetMetricStatistics operation: The parameter Period must be a multiple of 60/);

    const unknownKey = await cw(["list-metrics"], { AWS_ACCESS_KEY_ID: "AKIAUNKNOWN000000000", AWS_SECRET_ACCESS_KEY: "x", AWS_DEFAULT_REGION: "us-east-1" });
    assert.match(unknownKey.stderr, /\(InvalidClientTokenId\) when calling the ListMetrics operation/);

    const wrongSecret = await cw(["list-metrics"], {
      AWS_ACCESS_KEY_ID: server.running.rootKey.accessKeyId,
      AWS_SECRET_ACCESS_KEY: "wrong-secret",
      AWS_DEFAULT_REGION: "us-east-1",
    });
    assert.match(wrongSecret.stderr, /\(SignatureDoesNotMatch\) when calling the ListMetrics operation/);
  });
});
