import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { appRunnerApi } from "../../api/apprunner-api.js";
import type { ApiCallRecord, AwsJsonApi } from "../../protocol/service-registry.js";
import type { Principal } from "../../iam/sigv4/verify.js";
import { toTrailEntry, type TrailContext } from "./cloudtrail-event.js";
import { MAX_EVENT_BYTES, MAX_PARAMETERS_BYTES, MAX_TEXT_CHARS } from "./field-limits.js";
import { HIDDEN } from "./hidden.js";

const ACCOUNT = "123456789012";
const ROOT: Principal = { accessKeyId: "AKIAROOTEXAMPLE00000", accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, type: "Root" };
const ALICE: Principal = {
  accessKeyId: "AKIAALICEEXAMPLE0000",
  accountId: ACCOUNT,
  arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
  type: "IAMUser",
  userName: "alice",
};
const ARN = "arn:aws:apprunner:us-east-1:123456789012:service/web/0123456789abcdef0123456789abcdef";

type Call = ApiCallRecord & { api: AwsJsonApi; operation: string };

function call(over: Partial<ApiCallRecord> & { api: AwsJsonApi; operation: string }): Call {
  return {
    requestId: "1a60af60-ecf5-4280-aa8f-64538319ba0a",
    time: Date.UTC(2020, 9, 2, 23, 25, 33, 480),
    sourceIp: "::ffff:192.0.2.10",
    userAgent: "aws-cli/2.9.19",
    accessKeyId: undefined,
    input: undefined,
    output: undefined,
    errorCode: undefined,
    errorMessage: undefined,
    ...over,
  };
}

const EVENT_ID = "e1a3f623-4d24-4390-a70b-bf08a0e24669";
const ctx = (principal: Principal | undefined): TrailContext => ({ region: "us-east-2", accountId: ACCOUNT, eventId: EVENT_ID, principal });
const parse = (json: string): Record<string, unknown> => JSON.parse(json) as Record<string, unknown>;

describe("a call as a CloudTrail event", () => {
  it("CreateService by root: the guide's fields, secrets hidden, the new service as a resource", () => {
    const e = toTrailEntry(
      call({
        api: appRunnerApi,
        operation: "CreateService",
        accessKeyId: ROOT.accessKeyId,
        input: {
          ServiceName: "web",
          SourceConfiguration: {
            ImageRepository: { ImageIdentifier: "nginx", ImageRepositoryType: "ECR_PUBLIC", ImageConfiguration: { StartCommand: "run --secret" } },
          },
        },
        output: { Service: { ServiceName: "web", ServiceArn: ARN }, OperationId: "op" },
      }),
      ctx(ROOT),
    );
    const ev = parse(e.event);
    assert.deepEqual(Object.keys(ev), [
      ...["eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "userAgent"],
      ...["requestParameters", "responseElements", "requestID", "eventID", "readOnly", "eventType", "managementEvent"],
      ...["recipientAccountId", "eventCategory"],
    ]);
    assert.equal(ev.eventVersion, "1.08");
    const root = { type: "Root", principalId: ACCOUNT, arn: ROOT.arn, accountId: ACCOUNT, accessKeyId: ROOT.accessKeyId };
    assert.deepEqual(ev.userIdentity, root);
    assert.equal(ev.eventTime, "2020-10-02T23:25:33Z");
    assert.equal(ev.eventSource, "apprunner.amazonaws.com");
    assert.equal(ev.sourceIPAddress, "192.0.2.10");
    assert.equal(ev.readOnly, false);
    assert.equal(ev.eventType, "AwsApiCall");
    assert.equal(ev.managementEvent, true);
    assert.equal(ev.recipientAccountId, "123456789012");
    const params = ev.requestParameters as { sourceConfiguration: { imageRepository: { imageConfiguration: { startCommand: string } } } };
    assert.equal(params.sourceConfiguration.imageRepository.imageConfiguration.startCommand, HIDDEN);
    assert.deepEqual(ev.responseElements, { service: { serviceName: "web", serviceArn: ARN }, operationId: "op" });
    assert.ok(!e.event.includes("run --secret"));
    assert.equal(e.eventTime, Date.UTC(2020, 9, 2, 23, 25, 33), "cut to the second, as eventTime shows");
    assert.equal(e.username, "root");
    assert.deepEqual(e.resources, [{ ResourceType: "AWS::AppRunner::Service", ResourceName: ARN }]);
  });

  it("a read by an IAM user: readOnly, responseElements null, userName", () => {
    const read = call({ api: appRunnerApi, operation: "DescribeService", input: { ServiceArn: ARN }, output: { Service: { ServiceArn: ARN } } });
    const e = toTrailEntry(read, ctx(ALICE));
    const ev = parse(e.event);
    assert.equal(ev.readOnly, true);
    assert.equal(ev.responseElements, null);
    assert.deepEqual(ev.requestParameters, { serviceArn: ARN });
    const who = ev.userIdentity as Record<string, unknown>;
    assert.equal(who.type, "IAMUser");
    assert.match(String(who.principalId), /^AIDA[A-Z2-7]{17}$/);
    assert.equal(who.userName, "alice");
    assert.equal(e.username, "alice");
    assert.equal(e.accessKeyId, ALICE.accessKeyId);
  });

  it("a failed call: errorCode and errorMessage, no responseElements", () => {
    const e = toTrailEntry(
      call({
        api: appRunnerApi,
        operation: "CreateService",
        input: { ServiceName: "x" },
        errorCode: "InvalidRequestException",
        errorMessage: "1 validation error detected",
      }),
      ctx(ROOT),
    );
    const ev = parse(e.event);
    assert.equal(ev.errorCode, "InvalidRequestException");
    assert.equal(ev.errorMessage, "1 validation error detected");
    assert.equal(ev.responseElements, null);
    assert.deepEqual(Object.keys(ev).slice(7, 10), ["userAgent", "errorCode", "errorMessage"]);
  });

  it("an unauthenticated call: an anonymous principal, no access key, no username", () => {
    const anonymous = call({
      api: appRunnerApi,
      operation: "ListServices",
      errorCode: "MissingAuthenticationTokenException",
      errorMessage: "Missing Authentication Token",
    });
    const e = toTrailEntry(anonymous, ctx(undefined));
    assert.deepEqual(parse(e.event).userIdentity, { type: "AWSAccount", principalId: "", accountId: "ANONYMOUS_PRINCIPAL" });
    assert.equal(e.username, undefined);
    assert.equal(e.accessKeyId, undefined);
    assert.equal(parse(e.event).requestParameters, null);
  });

  it("another API: its event source from the signing name", () => {
    const logs: AwsJsonApi = { targetPrefix: "Logs_20140328", signingName: "logs", jsonVersion: "1.1", operations: {} };
    const e = toTrailEntry(call({ api: logs, operation: "CreateLogGroup", input: { logGroupName: "g" }, output: {} }), ctx(ROOT));
    assert.equal(e.eventSource, "logs.amazonaws.com");
    assert.deepEqual(parse(e.event).requestParameters, { logGroupName: "g" });
    assert.equal(parse(e.event).responseElements, null);
  });

  it("stays under CloudTrail's 256 KB whatever the caller sent: large parameters omitted, long text cut", () => {
    const mb = "x".repeat(1024 * 1024);
    const logs: AwsJsonApi = { targetPrefix: "Logs_20140328", signingName: "logs", jsonVersion: "1.1", operations: {} };
    const cases: Call[] = [
      call({ api: appRunnerApi, operation: "CreateService", input: { ServiceName: mb }, errorCode: "InvalidRequestException", errorMessage: mb, userAgent: mb }),
      call({ api: logs, operation: "PutLogEvents", input: { logStreamName: mb, logGroupName: mb }, errorCode: "InvalidParameterException", errorMessage: mb }),
      call({ api: logs, operation: "CreateLogGroup", input: { logGroupName: "g" }, output: { huge: mb } }),
    ];
    for (const c of cases) {
      const entry = toTrailEntry(c, ctx(ROOT));
      assert.ok(Buffer.byteLength(entry.event) <= MAX_EVENT_BYTES, `${c.operation}: ${Buffer.byteLength(entry.event)} bytes`);
      const event = parse(entry.event);
      const omitted = c.output === undefined ? event.requestParameters : event.responseElements;
      assert.deepEqual(Object.keys(omitted as object).sort(), ["omitted", "originalSize"], c.operation);
      assert.equal((omitted as { omitted: unknown }).omitted, true);
      assert.ok(String(event.userAgent).length <= MAX_TEXT_CHARS + 20);
      if (c.errorMessage !== undefined) assert.match(String(event.errorMessage), /^x{1024}\.\.\.\(truncated\)$/);
    }
  });

  it("keeps parameters of up to 100 KB whole", () => {
    const input = { logGroupName: "g".repeat(MAX_PARAMETERS_BYTES - 100) };
    const logs: AwsJsonApi = { targetPrefix: "Logs_20140328", signingName: "logs", jsonVersion: "1.1", operations: {} };
    const event = parse(toTrailEntry(call({ api: logs, operation: "CreateLogGroup", input }), ctx(ROOT)).event);
    assert.deepEqual(event.requestParameters, input);
  });

  it("its text is what JSON.stringify makes of it: no space, every string escaped, nothing but JSON", () => {
    const odd = 'quote " backslash \\ newline \n tab \t bell \u0007 lone \ud800 emoji \u{1f600} é';
    const calls: [Call, Principal | undefined][] = [
      [call({ api: appRunnerApi, operation: "DescribeService", input: { ServiceArn: ARN } }), ROOT],
      [call({ api: appRunnerApi, operation: "CreateService", input: { ServiceName: odd }, output: { Service: { ServiceArn: ARN } } }), ALICE],
      [call({ api: appRunnerApi, operation: "CreateService", input: { ServiceName: "x" }, errorCode: "InvalidRequestException", errorMessage: odd }), ROOT],
      [call({ api: appRunnerApi, operation: "ListServices", userAgent: odd, sourceIp: "2001:db8::1", errorCode: "MissingAuthenticationTokenException", errorMessage: "m" }), undefined],
      [call({ api: appRunnerApi, operation: "CreateService", input: { ServiceName: "x".repeat(200 * 1024) } }), ROOT],
      // The quoting kept for repeated values, and the request id quoted as it is when it can be.
      [call({ api: appRunnerApi, operation: "ListServices", userAgent: odd, requestId: `req "${odd}"`, sourceIp: "::ffff:192.0.2.10" }), ROOT],
      [call({ api: appRunnerApi, operation: "ListServices", userAgent: odd, requestId: "", sourceIp: "::ffff:2001:db8::1" }), ROOT],
    ];
    for (const [c, principal] of [...calls, ...calls]) {
      const { event } = toTrailEntry(c, ctx(principal));
      assert.equal(event, JSON.stringify(JSON.parse(event)), c.operation);
      const fields = parse(event);
      assert.equal(fields.requestID, c.requestId);
      assert.equal(fields.userAgent, c.userAgent.length > MAX_TEXT_CHARS ? fields.userAgent : c.userAgent);
    }
  });

  it("names each call's own user agent and source address, however many different ones come", () => {
    for (let i = 0; i < 2500; i++) {
      const c = call({ api: appRunnerApi, operation: "ListServices", userAgent: `agent/${i}`, sourceIp: `::ffff:10.0.${i >> 8}.${i & 255}` });
      const fields = parse(toTrailEntry(c, ctx(ROOT)).event);
      assert.deepEqual([fields.userAgent, fields.sourceIPAddress], [`agent/${i}`, `10.0.${i >> 8}.${i & 255}`]);
    }
  });
});
