import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CreateConnectionCommand, DescribeServiceCommand, ListConnectionsCommand } from "@aws-sdk/client-apprunner";
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { startInProcess, type InProcessServer } from "../../../test/support/harness.js";
import { fetchHeaders, signRequest } from "../../../test/support/sigv4-signer.js";
import type { ConnectionInternal } from "../../domain/connection-handshake.js";
import { SecretBox } from "../../iam/secret-box.js";

const TOKEN = "ghp_consoleHandshakeToken0123456789abcdef";
const TARGET = "OpenRunner.CompleteConnectionHandshake";
const JSON_10 = "application/x-amz-json-1.0";

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

describe("OpenRunner.CompleteConnectionHandshake", () => {
  let server: InProcessServer;
  let trail: CloudTrailClient;
  let arn = "";
  const logged: string[] = [];

  /** Signed as the console signs it: SigV4 for `apprunner`, by the SDK's own signer. */
  const call = async (input: unknown, o: { service?: string; target?: string; signed?: boolean } = {}): Promise<Answer> => {
    const url = `${server.running.endpoint}/`;
    const body = JSON.stringify(input);
    const headers = { "content-type": JSON_10, "x-amz-target": o.target ?? TARGET };
    const init: RequestInit =
      o.signed === false
        ? { method: "POST", headers, body }
        : await (async () => {
            const req = await signRequest({ url, body, headers, credentials: server.running.rootKey, region: server.running.config.region, service: o.service });
            return { method: "POST", headers: fetchHeaders(req), body };
          })();
    const res = await fetch(url, init);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  before(async () => {
    server = await startInProcess({ logger: (message, fields) => logged.push(`${message} ${JSON.stringify(fields ?? {})}`) });
    const { endpoint, rootKey, config } = server.running;
    trail = new CloudTrailClient({ endpoint, region: config.region, credentials: rootKey, maxAttempts: 1 });
    const out = await server.client.send(new CreateConnectionCommand({ ConnectionName: "my-github", ProviderType: "GITHUB" }));
    arn = out.Connection?.ConnectionArn ?? "";
    assert.equal(out.Connection?.Status, "PENDING_HANDSHAKE");
  });
  after(async () => {
    trail.destroy();
    await server.close();
  });

  it("refuses an unsigned request and leaves the connection pending", async () => {
    const res = await call({ ConnectionArn: arn, Token: TOKEN }, { signed: false });
    assert.equal(res.status, 403);
    assert.equal(res.body.__type, "MissingAuthenticationTokenException");
    const sum = (await server.client.send(new ListConnectionsCommand({}))).ConnectionSummaryList ?? [];
    assert.equal(sum.find((c) => c.ConnectionArn === arn)?.Status, "PENDING_HANDSHAKE");
  });

  it("refuses a request signed for another service", async () => {
    const res = await call({ ConnectionArn: arn, Token: TOKEN }, { service: "logs" });
    assert.equal(res.status, 403);
    assert.equal(res.body.__type, "InvalidSignatureException");
  });

  it("rejects an empty token, a missing ARN and an unknown connection", async () => {
    const empty = await call({ ConnectionArn: arn, Token: "  \n" });
    assert.equal(empty.body.__type, "InvalidRequestException");
    assert.equal(empty.status, 400);
    const noArn = await call({ Token: TOKEN });
    assert.equal(noArn.body.__type, "InvalidRequestException");
    const unknown = await call({ ConnectionArn: `${arn.slice(0, arn.lastIndexOf("/"))}/0123456789abcdef0123456789abcdef`, Token: TOKEN });
    assert.equal(unknown.body.__type, "ResourceNotFoundException");
    const unknownOp = await call({}, { target: "OpenRunner.NoSuchThing" });
    assert.equal(unknownOp.body.__type, "UnknownOperationException");
  });

  it("makes the connection AVAILABLE and seals the token with the data directory's key", async () => {
    const res = await call({ ConnectionArn: arn, Token: `${TOKEN}\n` });
    assert.equal(res.status, 200);
    const connection = res.body.Connection as Record<string, unknown>;
    assert.equal(connection.ConnectionArn, arn);
    assert.equal(connection.ConnectionName, "my-github");
    assert.equal(connection.Status, "AVAILABLE");
    assert.ok(!JSON.stringify(res.body).includes(TOKEN));
    const sum = (await server.client.send(new ListConnectionsCommand({}))).ConnectionSummaryList ?? [];
    assert.equal(sum.find((c) => c.ConnectionArn === arn)?.Status, "AVAILABLE");

    const row = server.running.store.resources.get<unknown, ConnectionInternal>(arn);
    const sealed = row?.internal.token;
    assert.ok(sealed);
    assert.ok(!JSON.stringify(row).includes(TOKEN), "the stored row holds no plaintext token");
    // The CLI's key: the same token opens with SecretBox.forDataDir, bound to the ARN (trimmed).
    assert.equal(SecretBox.forDataDir(server.running.dataDir).open(sealed, arn), TOKEN);
    assert.ok(!readFileSync(join(server.running.dataDir, "openrunner.db")).includes(TOKEN));
  });

  it("records the call in the audit trail with the token hidden", async () => {
    const out = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "CompleteConnectionHandshake" }] }));
    const events = out.Events ?? [];
    // The unsigned call has no principal but is still attributable; every attempt is there.
    assert.ok(events.length >= 4, `events: ${events.length}`);
    for (const e of events) {
      assert.ok(!(e.CloudTrailEvent ?? "").includes(TOKEN), "no event carries the token");
      assert.equal(e.EventSource, "apprunner.amazonaws.com");
    }
    const ok = events.map((e) => JSON.parse(e.CloudTrailEvent ?? "{}") as Record<string, unknown>).find((e) => e.errorCode === undefined);
    assert.ok(ok);
    assert.deepEqual(ok.requestParameters, { connectionArn: arn, token: "HIDDEN_DUE_TO_SECURITY_REASONS" });
    assert.equal(((ok.responseElements as Record<string, unknown>).connection as Record<string, unknown>).status, "AVAILABLE");
    assert.equal(ok.readOnly, false);
    assert.ok(!readFileSync(join(server.running.dataDir, "trail.db")).includes(TOKEN));
    assert.ok(!logged.some((line) => line.includes(TOKEN)), "the server logs never carry the token");
  });

  it("leaves App Runner's own API as it was", async () => {
    await assert.rejects(server.client.send(new DescribeServiceCommand({ ServiceArn: arn.replace(":connection/", ":service/") })), { name: "ResourceNotFoundException" });
  });
});
