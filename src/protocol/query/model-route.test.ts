import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { CreateUserCommand, GetUserCommand, IAMClient, ListUsersCommand } from "@aws-sdk/client-iam";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { Authorizer } from "../../iam/authorization.js";
import { iamModel } from "../../model/model.js";
import { ensureRootAccessKey, storeCredentialLookup } from "../../store/root-credentials.js";
import { Store } from "../../store/store.js";
import { systemClock } from "../../util/clock.js";
import { cryptoRandom } from "../../util/random.js";
import type { ApiCallRecord, AwsJsonApi } from "../service-registry.js";
import { queryApiRoute } from "./model-route.js";

describe("a model-driven awsQuery route", () => {
  const steps: string[] = [];
  const records: ApiCallRecord[] = [];
  let store: Store;
  let server: Server;
  let client: IAMClient;

  const api: AwsJsonApi<{ greeting: string }> = {
    targetPrefix: "X",
    signingName: "iam",
    jsonVersion: "1.0",
    model: iamModel,
    operations: {
      GetUser: (input, ctx) => {
        steps.push(`run GetUser ${String(input.UserName)}`);
        return { User: { UserName: `${ctx.greeting} ${String(input.UserName)}`, Path: "/", UserId: "AIDA", Arn: ctx.principal.arn, CreateDate: 0 } };
      },
      ListUsers: () => {
        steps.push("run ListUsers");
        return { Users: [], IsTruncated: false };
      },
      CreateUser: () => ({}),
    },
    authorization: { actionPrefix: "iam", requestsOf: (op, input) => [{ action: `iam:${op}`, resource: String(input.UserName ?? "*") }] },
  };
  const authorizer: Authorizer = {
    authorize(principal, requests) {
      steps.push(`authorize ${requests.map((r) => `${r.action} ${r.resource}`).join(",")}`);
      if (requests[0]?.action === "iam:ListUsers") throw new AppRunnerError("AccessDenied", `User: ${principal.arn} is not authorized to perform: iam:ListUsers`);
    },
    decide: () => "Allow",
  };

  before(async () => {
    store = Store.open(":memory:");
    const key = ensureRootAccessKey(store, "123456789012", systemClock, cryptoRandom);
    const route = queryApiRoute(
      api,
      {
        credentials: storeCredentialLookup(store),
        authorizer,
        config: { region: "eu-west-1" },
        clock: systemClock,
        random: cryptoRandom,
        logger: () => undefined,
        admitApiCall: (call) => steps.push(`admit ${call.operation}`),
        recordApiCall: (call) => records.push(call),
      },
      { greeting: "hello" },
      { alsoRegions: ["us-east-1"], validationError: "IamValidation" },
    );
    server = createServer((req, res) => void route.handle(req, res));
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    client = new IAMClient({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, region: "us-east-1", credentials: key, maxAttempts: 1 });
  });
  after(async () => {
    client.destroy();
    await new Promise((ok) => server.close(ok));
    store.close();
  });

  it("decodes, authorizes, admits, runs and answers in that order, and records the call", async () => {
    steps.length = 0;
    const out = await client.send(new GetUserCommand({ UserName: "bob" }));
    assert.equal(out.User?.UserName, "hello bob");
    assert.deepEqual(steps, ["authorize iam:GetUser bob", "admit GetUser", "run GetUser bob"]);
    assert.deepEqual(records.at(-1)?.input, { UserName: "bob" });
    assert.equal(records.at(-1)?.errorCode, undefined);
  });

  it("a denied call is neither admitted nor run, answered AccessDenied and recorded with that code", async () => {
    steps.length = 0;
    await assert.rejects(client.send(new ListUsersCommand({})), (err: Error) => err.name === "AccessDenied");
    assert.deepEqual(steps, ["authorize iam:ListUsers *"]);
    assert.equal(records.at(-1)?.operation, "ListUsers");
    assert.equal(records.at(-1)?.errorCode, "AccessDenied");
  });

  it("the model's constraints are checked before authorization, in the API's own error code", async () => {
    steps.length = 0;
    await assert.rejects(client.send(new CreateUserCommand({ UserName: "no spaces allowed" })), (err: Error) => err.name === "ValidationError" && /at 'userName'/.test(err.message));
    assert.deepEqual(steps, []);
  });
});
