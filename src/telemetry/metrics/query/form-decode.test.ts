import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GET_METRIC_DATA_INPUT, GET_METRIC_STATISTICS_INPUT, LIST_METRICS_INPUT } from "../api/shapes.js";
import { decodeQuery, decodeScalar } from "./form-decode.js";

/** Bodies as botocore's QuerySerializer writes them for `aws cloudwatch …`. */
describe("awsQuery parameters to the JSON form", () => {
  it("decodes GetMetricStatistics with member lists and ISO timestamps", () => {
    const body =
      "Action=GetMetricStatistics&Version=2010-08-01&Namespace=AWS%2FAppRunner&MetricName=Requests" +
      "&Dimensions.member.1.Name=ServiceName&Dimensions.member.1.Value=web" +
      "&Dimensions.member.2.Name=ServiceID&Dimensions.member.2.Value=abc" +
      "&StartTime=2026-01-01T00%3A00%3A00Z&EndTime=2026-01-01T01%3A00%3A00.500Z&Period=300" +
      "&Statistics.member.1=Sum&Statistics.member.2=Average&Unit=Count";
    assert.deepEqual(decodeQuery(new URLSearchParams(body), GET_METRIC_STATISTICS_INPUT), {
      Namespace: "AWS/AppRunner",
      MetricName: "Requests",
      Dimensions: [
        { Name: "ServiceName", Value: "web" },
        { Name: "ServiceID", Value: "abc" },
      ],
      StartTime: Date.UTC(2026, 0, 1) / 1000,
      EndTime: Date.UTC(2026, 0, 1, 1) / 1000 + 0.5,
      Period: 300,
      Statistics: ["Sum", "Average"],
      Unit: "Count",
    });
  });

  it("decodes nested structures and booleans of GetMetricData", () => {
    const body =
      "MetricDataQueries.member.1.Id=a&MetricDataQueries.member.1.MetricStat.Metric.Namespace=AWS%2FAppRunner" +
      "&MetricDataQueries.member.1.MetricStat.Metric.MetricName=Requests&MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name=ServiceName" +
      "&MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value=web&MetricDataQueries.member.1.MetricStat.Period=60" +
      "&MetricDataQueries.member.1.MetricStat.Stat=p99&MetricDataQueries.member.1.ReturnData=false" +
      "&MetricDataQueries.member.2.Id=b&MetricDataQueries.member.2.Expression=a*2" +
      "&StartTime=1767225600&EndTime=2026-01-01T01%3A00%3A00%2B01%3A00&ScanBy=TimestampAscending&MaxDatapoints=10";
    assert.deepEqual(decodeQuery(new URLSearchParams(body), GET_METRIC_DATA_INPUT), {
      MetricDataQueries: [
        {
          Id: "a",
          MetricStat: { Metric: { Namespace: "AWS/AppRunner", MetricName: "Requests", Dimensions: [{ Name: "ServiceName", Value: "web" }] }, Period: 60, Stat: "p99" },
          ReturnData: false,
        },
        { Id: "b", Expression: "a*2" },
      ],
      StartTime: 1767225600,
      EndTime: Date.UTC(2026, 0, 1) / 1000,
      ScanBy: "TimestampAscending",
      MaxDatapoints: 10,
    });
  });

  it("decodes an empty list (`Dimensions=`) and leaves absent members out", () => {
    assert.deepEqual(decodeQuery(new URLSearchParams("Action=ListMetrics&Dimensions=&MetricName=Requests"), LIST_METRICS_INPUT), {
      MetricName: "Requests",
      Dimensions: [],
    });
    assert.deepEqual(decodeQuery(new URLSearchParams(""), LIST_METRICS_INPUT), {});
  });

  it("refuses malformed scalars with InvalidParameterValue", () => {
    const cases: [string, "integer" | "double" | "boolean" | "timestamp"][] = [
      ["60.5", "integer"],
      ["", "integer"],
      ["abc", "double"],
      ["yes", "boolean"],
      ["2026-13-45", "timestamp"],
      ["yesterday", "timestamp"],
    ];
    for (const [text, type] of cases) {
      assert.throws(() => decodeScalar(text, "X", type), { code: "CloudWatchInvalidParameterValue" }, `${type} '${text}'`);
    }
    assert.equal(decodeScalar("-3", "X", "integer"), -3);
    assert.equal(decodeScalar("1.5e2", "X", "double"), 150);
  });
});
