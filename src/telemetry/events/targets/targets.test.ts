import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StoredTarget } from "../store/targets.js";
import { deliveryBody } from "./body.js";
import { deliveryRequest, endpointOf } from "./endpoint.js";
import { parseJsonPath } from "./json-path.js";
import { targetProblem } from "./validate.js";

const event = {
  version: "0",
  id: "e-1",
  "detail-type": "AppRunner Service Status Change",
  source: "aws.apprunner",
  resources: ["arn:aws:apprunner:us-east-1:111122223333:service/web/0123"],
  detail: { CurrentStatus: "RUNNING", ServiceName: "web", Message: 'said "hi"', Count: 3, Nested: { a: [1, 2] } },
};
const ctx = { event, ruleArn: "arn:aws:events:us-east-1:111122223333:rule/r", ruleName: "r", ingestionTime: "2026-01-01T00:00:00Z" };
const target = (extra: Partial<StoredTarget> = {}): StoredTarget => ({ Id: "t1", Arn: "http://127.0.0.1:9/hook", ...extra });

describe("HTTP targets", () => {
  it("accept http(s) URLs as their Arn and refuse other ARNs and formats", () => {
    assert.ok("url" in endpointOf("https://hooks.example.com/x?y=1"));
    assert.ok("url" in endpointOf("HTTP://127.0.0.1:8080/"));
    assert.match(String((endpointOf("arn:aws:events:us-east-1:1:api-destination/d/abc") as { error: string }).error), /not supported/);
    assert.match(String((endpointOf("arn:aws:sqs:us-east-1:1:queue") as { error: string }).error), /not supported/);
    assert.match(String((endpointOf("hooks.example.com") as { error: string }).error), /not in correct format/);
    assert.match(String((endpointOf("http://") as { error: string }).error), /not a valid http\(s\) URL/);
  });

  it("build the POST from HttpParameters", () => {
    const req = deliveryRequest(
      target({
        Arn: "https://h.example/api/*/events/*",
        HttpParameters: { PathParameterValues: ["svc a", "v1"], QueryStringParameters: { q: "1" }, HeaderParameters: { "X-Token": "s" } },
      }),
    );
    assert.equal(req.url, "https://h.example/api/svc%20a/events/v1?q=1");
    assert.equal(req.headers["x-token"], "s");
    assert.equal(req.headers["content-type"], "application/json; charset=utf-8");
    assert.equal(req.headers["user-agent"], "Amazon/EventBridge/ApiDestinations");
  });

  it("send the event, the Input, the InputPath selection or the InputTransformer result", () => {
    assert.deepEqual(JSON.parse(deliveryBody(target(), ctx)), event);
    assert.equal(deliveryBody(target({ Input: '{"fixed":true}' }), ctx), '{"fixed":true}');
    assert.equal(deliveryBody(target({ InputPath: "$.detail.CurrentStatus" }), ctx), '"RUNNING"');
    assert.equal(deliveryBody(target({ InputPath: "$.detail.Nested.a[1]" }), ctx), "2");
    assert.equal(deliveryBody(target({ InputPath: "$['detail-type']" }), ctx), '"AppRunner Service Status Change"');
    assert.equal(deliveryBody(target({ InputPath: "$.detail.None" }), ctx), "null");
    assert.equal(deliveryBody(target({ InputPath: "$" }), ctx), JSON.stringify(event));
    const transformer = (InputTemplate: string): string =>
      deliveryBody(
        target({
          InputTransformer: {
            InputPathsMap: { name: "$.detail.ServiceName", status: "$.detail.CurrentStatus", msg: "$.detail.Message", n: "$.detail.Count", nested: "$.detail.Nested", none: "$.x" },
            InputTemplate,
          },
        }),
        ctx,
      );
    assert.equal(transformer('"<name> is <status>"'), '"web is RUNNING"');
    assert.deepEqual(JSON.parse(transformer('{"service": <name>, "n": <n>, "nested": <nested>, "none": <none>}')), {
      service: "web",
      n: 3,
      nested: { a: [1, 2] },
      none: null,
    });
    assert.deepEqual(JSON.parse(transformer('{"text": "<name>: <msg> (<none>)"}')), { text: 'web: said "hi" ()' });
    assert.deepEqual(JSON.parse(transformer('{"rule": "<aws.events.rule-name>", "arn": <aws.events.rule-arn>, "e": <aws.events.event>}')), {
      rule: "r",
      arn: ctx.ruleArn,
      e: event,
    });
    assert.equal(transformer("<unknown> stays"), "<unknown> stays");
  });

  it("parse the JSONPath subset", () => {
    assert.deepEqual(parseJsonPath("$"), []);
    assert.deepEqual(parseJsonPath("$.a.b[2]['c d'][\"e\"]"), ["a", "b", 2, "c d", "e"]);
    for (const bad of ["", "a.b", "$.", "$[x]", "$[1", "$..a", "$a"]) assert.equal(parseJsonPath(bad), undefined, bad);
  });

  it("refuse targets PutTargets cannot keep, one reason each", () => {
    const table: [Partial<StoredTarget>, RegExp | undefined][] = [
      [{}, undefined],
      [{ Id: "bad id!" }, /regular expression pattern/],
      [{ Id: "x".repeat(65) }, /less than or equal to 64/],
      [{ Arn: "arn:aws:lambda:us-east-1:1:function:f" }, /not supported/],
      [{ Input: "{", InputPath: "$" }, /Only one of Input, InputPath, or InputTransformer/],
      [{ Input: "{" }, /Input must be valid JSON/],
      [{ InputPath: "detail" }, /not a valid JSON path/],
      [{ InputTransformer: { InputTemplate: "x", InputPathsMap: { "aws.x": "$" } } }, /not a valid variable name/],
      [{ InputTransformer: { InputTemplate: "x", InputPathsMap: { a: "nope" } } }, /not a valid JSON path/],
      [{ RetryPolicy: { MaximumRetryAttempts: 186 } }, /between 0 and 185/],
      [{ RetryPolicy: { MaximumEventAgeInSeconds: 59 } }, /between 60 and 86400/],
      [{ HttpParameters: { HeaderParameters: { a: 1 as unknown as string } } }, /HttpParameters is not valid/],
      [{ RetryPolicy: 5 as unknown as StoredTarget["RetryPolicy"] }, /RetryPolicy is not valid. Reason: it must be an object/],
    ];
    for (const [extra, expected] of table) {
      const problem = targetProblem(target(extra), 0);
      if (expected) assert.match(problem ?? "", expected, JSON.stringify(extra));
      else assert.equal(problem, undefined);
    }
  });
});
