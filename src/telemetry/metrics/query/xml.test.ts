import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AppRunnerError } from "../../../errors/app-runner-error.js";
import { GET_METRIC_STATISTICS_OUTPUT, LIST_METRICS_OUTPUT } from "../api/shapes.js";
import { queryErrorOf } from "../../../protocol/query/error-codes.js";
import { escapeXml } from "../../../protocol/query/escape-xml.js";
import { errorXml, isoTimestamp, responseXml, XML_NAMESPACE } from "./xml.js";

describe("awsQuery XML", () => {
  it("writes a result inside <XResponse><XResult> with the request id", () => {
    const xml = responseXml(
      "GetMetricStatistics",
      {
        Label: "RequestLatency",
        Datapoints: [{ Timestamp: 1767225600, Sum: 12.5, Unit: "Milliseconds", ExtendedStatistics: { p99: 3, "p99.9": 4 } }],
      },
      GET_METRIC_STATISTICS_OUTPUT,
      "req-1",
    );
    assert.equal(
      xml,
      `<GetMetricStatisticsResponse xmlns="${XML_NAMESPACE}"><GetMetricStatisticsResult>` +
        "<Label>RequestLatency</Label><Datapoints><member><Timestamp>2026-01-01T00:00:00Z</Timestamp><Sum>12.5</Sum><Unit>Milliseconds</Unit>" +
        "<ExtendedStatistics><entry><key>p99</key><value>3</value></entry><entry><key>p99.9</key><value>4</value></entry></ExtendedStatistics>" +
        "</member></Datapoints></GetMetricStatisticsResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetMetricStatisticsResponse>",
    );
  });

  it("writes members in model order, empty lists as empty elements, and escapes text", () => {
    const xml = responseXml("ListMetrics", { NextToken: "t", Metrics: [{ Dimensions: [], MetricName: "a<b&c", Namespace: "AWS/AppRunner" }] }, LIST_METRICS_OUTPUT, "r");
    assert.match(xml, /<Metrics><member><Namespace>AWS\/AppRunner<\/Namespace><MetricName>a&lt;b&amp;c<\/MetricName><Dimensions><\/Dimensions><\/member><\/Metrics><NextToken>t<\/NextToken>/);
  });

  it("formats timestamps and escapes as XML needs", () => {
    assert.equal(isoTimestamp(1767225600), "2026-01-01T00:00:00Z");
    assert.equal(isoTimestamp(1767225600.25), "2026-01-01T00:00:00.250Z");
    assert.equal(escapeXml(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;");
  });

  it("writes errors as <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>", () => {
    assert.equal(
      errorXml("Sender", "InvalidParameterValue", "bad <Period>", "r-2"),
      `<ErrorResponse xmlns="${XML_NAMESPACE}"><Error><Type>Sender</Type><Code>InvalidParameterValue</Code>` +
        "<Message>bad &lt;Period&gt;</Message></Error><RequestId>r-2</RequestId></ErrorResponse>",
    );
  });

  it("maps errors to the codes CloudWatch's query endpoint answers with", () => {
    const cases: [AppRunnerError, string, "Sender" | "Receiver", number][] = [
      [new AppRunnerError("CloudWatchInvalidParameterValue", "m"), "InvalidParameterValue", "Sender", 400],
      [new AppRunnerError("CloudWatchMissingParameter", "m"), "MissingParameter", "Sender", 400],
      [new AppRunnerError("CloudWatchInvalidParameterCombination", "m"), "InvalidParameterCombination", "Sender", 400],
      [new AppRunnerError("CloudWatchInvalidNextToken", "m"), "InvalidNextToken", "Sender", 400],
      [new AppRunnerError("UnknownOperation", "m"), "InvalidAction", "Sender", 400],
      [new AppRunnerError("MissingAuthenticationToken", "m"), "MissingAuthenticationToken", "Sender", 403],
      [new AppRunnerError("IncompleteSignature", "m"), "IncompleteSignature", "Sender", 403],
      [new AppRunnerError("UnrecognizedClient", "m"), "InvalidClientTokenId", "Sender", 403],
      [new AppRunnerError("InvalidSignature", "m"), "SignatureDoesNotMatch", "Sender", 403],
      [new AppRunnerError("InternalServiceError", "m"), "InternalServiceError", "Receiver", 500],
      [new AppRunnerError("InvalidRequest", "m"), "InvalidRequest", "Sender", 400],
    ];
    for (const [err, code, type, status] of cases) assert.deepEqual(queryErrorOf(err), { code, type, status }, err.code);
  });
});
