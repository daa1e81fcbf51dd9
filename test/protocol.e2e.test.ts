import {
  CreateServiceCommand,
  DescribeServiceCommand,
  ListServicesCommand,
  type AppRunnerClient,
} from "@aws-sdk/client-apprunner";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startInProcess, type InProcessServer } from "./support/harness.js";
import { fetchHeaders, signRequest } from "./support/sigv4-signer.js";

const JSON10 = "application/x-amz-json-1.0";
const image = { ImageIdentifier: "127.0.0.1:5000/hello:latest", ImageRepositoryType: "ECR_PUBLIC" as const };

interface RawCall {
  target?: string;
  body?: string;
  contentType?: string;
  method?: string;
  path?: string;
  /** How to authenticate: signed with these credentials, a literal Authorization header, or none. */
  auth: { accessKeyId: string; secretAccessKey: string } | { header: string } | "none";
  /** Changes the signed request before sending it (tampering). */
  tamper?: (headers: Record<string, string>) => void;
}

interface RawAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function call(endpoint: string, c: RawCall): Promise<RawAnswer> {
  const method = c.method ?? "POST";
  const url = `${endpoint}${c.path ?? "/"}`;
  const body = method === "GET" ? "" : (c.body ?? "{}");
  const base: Record<string, string> = {};
  if (c.target !== undefined) base["x-amz-target"] = c.target;
  if (c.contentType !== undefined) base["content-type"] = c.contentType;
  let headers = base;
  if (c.auth !== "none" && "accessKeyId" in c.auth) {
    headers = fetchHeaders(await signRequest({ url, body, method, headers: base, credentials: c.auth }));
  } else if (c.auth !== "none") {
    headers = { ...base, authorization: c.auth.header, "x-amz-date": "20260101T000000Z" };
  }
  c.tamper?.(headers);
  // Bytes, not a string: fetch would add a Content-Type of its own (unsigned) to a string body.
  const res = await fetch(url, { method, headers, body: method === "GET" ? undefined : Buffer.from(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function assertAwsError(a: RawAnswer, status: number, type: string, message?: RegExp): void {
  assert.equal(a.status, status, JSON.stringify(a.body));
  assert.deepEqual(Object.keys(a.body).sort(), ["Message", "__type"]);
  assert.equal(a.body.__type, type);
  assert.equal(a.headers.get("x-amzn-errortype"), type);
  assert.match(a.headers.get("x-amzn-requestid") ?? "", /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(a.headers.get("content-type"), JSON10);
  if (message) assert.match(String(a.body.Message), message);
}

describe("AWS JSON 1.0 protocol and SigV4 over raw HTTP", () => {
  let server: InProcessServer;
  let key: { accessKeyId: string; secretAccessKey: string };
  const seenRequestIds = new Set<string>();
  const send = async (c: RawCall): Promise<RawAnswer> => {
    const a = await call(server.running.endpoint, c);
    const id = a.headers.get("x-amzn-requestid") ?? "";
    assert.ok(id !== "" && !seenRequestIds.has(id), "every response has its own x-amzn-RequestId");
    seenRequestIds.add(id);
    return a;
  };
  const list = (over: Partial<RawCall> = {}): RawCall => ({
    target: "AppRunner.ListServices",
    contentType: JSON10,
    body: "{}",
    auth: key,
    ...over,
  });

  before(async () => {
    server = await startInProcess();
    key = server.running.rootKey;
  });
  after(async () => server.close());

  it("answers a correctly signed call with 200, JSON 1.0 and a request id", async () => {
    const a = await send(list());
    assert.equal(a.status, 200);
    assert.equal(a.headers.get("content-type"), JSON10);
    assert.deepEqual(a.body, { ServiceSummaryList: [] });
  });

  const failures: { name: string; call: () => RawCall; status: number; type: string; message?: RegExp }[] = [
    {
      name: "no Authorization header",
      call: () => list({ auth: "none" }),
      status: 403,
      type: "MissingAuthenticationTokenException",
      message: /^Missing Authentication Token$/,
    },
    {
      name: "a signature that does not match",
      call: () =>
        list({
          tamper: (h) => {
            h.authorization = (h.authorization ?? "").replace(/Signature=([0-9a-f])/, (_m, c: string) => `Signature=${c === "0" ? "1" : "0"}`);
          },
        }),
      status: 403,
      type: "InvalidSignatureException",
      message: /signature we calculated does not match/,
    },
    {
      name: "a signed header changed after signing",
      call: () => list({ tamper: (h) => void (h["x-amz-target"] = "AppRunner.ListOperations") }),
      status: 403,
      type: "InvalidSignatureException",
    },
    {
      name: "an unknown access key",
      call: () => list({ auth: { accessKeyId: "AKIAUNKNOWNUNKNOWN00", secretAccessKey: "x".repeat(40) } }),
      status: 403,
      type: "UnrecognizedClientException",
      message: /security token included in the request is invalid/,
    },
    {
      name: "a malformed Authorization header",
      call: () => list({ auth: { header: "AWS4-HMAC-SHA256 Credential=abc" } }),
      status: 403,
      type: "IncompleteSignatureException",
      message: /requires 'Signature' parameter/,
    },
    {
      name: "a Bearer token",
      call: () => list({ auth: { header: "Bearer abc" } }),
      status: 403,
      type: "IncompleteSignatureException",
    },
    {
      name: "an unsigned request for an unknown operation (authentication comes first)",
      call: () => list({ target: "AppRunner.NoSuchThing", auth: "none" }),
      status: 403,
      type: "MissingAuthenticationTokenException",
    },
    {
      name: "a signed request for an unknown operation",
      call: () => list({ target: "AppRunner.NoSuchThing" }),
      status: 400,
      type: "UnknownOperationException",
      message: /AppRunner\.NoSuchThing/,
    },
    {
      name: "a signed request for an unknown target prefix",
      call: () => list({ target: "DynamoDB_20120810.ListTables" }),
      status: 400,
      type: "UnknownOperationException",
    },
    {
      name: "a signed request without X-Amz-Target",
      call: () => list({ target: undefined }),
      status: 400,
      type: "UnknownOperationException",
      message: /no X-Amz-Target header/,
    },
    {
      name: "a signed GET",
      call: () => list({ method: "GET" }),
      status: 400,
      type: "UnknownOperationException",
    },
    {
      name: "a body that is not JSON",
      call: () => list({ body: "{not json" }),
      status: 400,
      type: "SerializationException",
      message: /not valid JSON/,
    },
    {
      name: "a JSON body that is not an object",
      call: () => list({ body: "[1,2]" }),
      status: 400,
      type: "SerializationException",
      message: /must be a JSON object/,
    },
    {
      name: "a member of the wrong JSON type",
      call: () => list({ body: JSON.stringify({ MaxResults: "5" }) }),
      status: 400,
      type: "SerializationException",
      message: /Expected an integer at 'maxResults'/,
    },
    {
      // AWS's front door chooses the protocol by Content-Type; with one it does not serve, no operation matches.
      name: "Content-Type application/json",
      call: () => list({ contentType: "application/json" }),
      status: 400,
      type: "UnknownOperationException",
      message: /Unsupported Content-Type 'application\/json': use application\/x-amz-json-1\.0/,
    },
    {
      name: "no Content-Type",
      call: () => list({ contentType: undefined }),
      status: 400,
      type: "UnknownOperationException",
    },
    {
      name: "a constraint violation",
      call: () => list({ body: JSON.stringify({ MaxResults: 21 }) }),
      status: 400,
      type: "InvalidRequestException",
      message: /^1 validation error detected: Value '21' at 'maxResults'/,
    },
  ];
  for (const f of failures) {
    it(`${f.name} -> ${f.status} ${f.type}`, async () => {
      assertAwsError(await send(f.call()), f.status, f.type, f.message);
    });
  }

  it("accepts the JSON 1.1 content type and a charset parameter", async () => {
    assert.equal((await send(list({ contentType: "application/x-amz-json-1.1" }))).status, 200);
    assert.equal((await send(list({ contentType: `${JSON10}; charset=utf-8` }))).status, 200);
  });

  it("reads a malformed percent-escape in the query as typed (not a server error)", async () => {
    // The SDK's signer reads `%zz` literally too, so the signatures agree.
    assert.equal((await send(list({ path: "/?a=%zz" }))).status, 200);
    const tampered = await send(list({ path: "/?a=%zz", tamper: (h) => void (h["x-amz-date"] = "20200101T000000Z") }));
    assert.equal(tampered.status, 403);
  });

  it("accepts an empty body as an empty object", async () => {
    assert.equal((await send(list({ body: "" }))).status, 200);
  });
});

describe("errors and paging through @aws-sdk/client-apprunner", () => {
  let server: InProcessServer;
  let client: AppRunnerClient;
  before(async () => {
    server = await startInProcess({ quotas: { services: 3 } });
    client = server.client;
  });
  after(async () => server.close());

  it("reports a validation error as InvalidRequestException", async () => {
    await assert.rejects(
      client.send(new CreateServiceCommand({ ServiceName: "no", SourceConfiguration: { ImageRepository: image } })),
      (e: Error & { $metadata?: { httpStatusCode?: number; requestId?: string } }) => {
        assert.equal(e.name, "InvalidRequestException");
        assert.match(e.message, /Value 'no' at 'serviceName' failed to satisfy constraint/);
        assert.equal(e.$metadata?.httpStatusCode, 400);
        assert.ok(e.$metadata?.requestId, "the SDK reads the request id");
        return true;
      },
    );
  });

  it("reports an unknown service as ResourceNotFoundException", async () => {
    const arn = `arn:aws:apprunner:us-east-1:${server.running.config.accountId}:service/ghost/${"0".repeat(32)}`;
    await assert.rejects(client.send(new DescribeServiceCommand({ ServiceArn: arn })), {
      name: "ResourceNotFoundException",
      message: `Service not found: ${arn}`,
    });
  });

  it("pages ListServices with MaxResults 1 and NextToken, and refuses MaxResults 21", async () => {
    const names = ["page-one", "page-two", "page-three"];
    for (const ServiceName of names) {
      await client.send(new CreateServiceCommand({ ServiceName, SourceConfiguration: { ImageRepository: image } }));
    }
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new ListServicesCommand({ MaxResults: 1, NextToken: token }));
      assert.equal(page.ServiceSummaryList?.length, 1);
      seen.push(page.ServiceSummaryList?.[0]?.ServiceName ?? "");
      token = page.NextToken;
      pages++;
    } while (token !== undefined && pages < 10);
    assert.deepEqual(seen, names, "three pages, oldest first, the last without a NextToken");
    assert.equal(pages, 3);

    await assert.rejects(client.send(new ListServicesCommand({ MaxResults: 21 })), {
      name: "InvalidRequestException",
      message: /Value '21' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 20/,
    });
    await assert.rejects(client.send(new ListServicesCommand({ NextToken: "not-a-token" })), { name: "InvalidRequestException" });
  });

  it("refuses a service over the quota with ServiceQuotaExceededException", async () => {
    // The paging test above created three services; the quota here is three.
    await assert.rejects(
      client.send(new CreateServiceCommand({ ServiceName: "one-too-many", SourceConfiguration: { ImageRepository: image } })),
      { name: "ServiceQuotaExceededException", message: /maximum number of services \(3\)/ },
    );
  });
});

describe("a quota of one service", () => {
  let server: InProcessServer;
  before(async () => {
    server = await startInProcess({ quotas: { services: 1 } });
  });
  after(async () => server.close());

  it("allows the first and refuses the second with ServiceQuotaExceededException (HTTP 402)", async () => {
    const { client } = server;
    await client.send(new CreateServiceCommand({ ServiceName: "only-one", SourceConfiguration: { ImageRepository: image } }));
    await assert.rejects(
      client.send(new CreateServiceCommand({ ServiceName: "second-one", SourceConfiguration: { ImageRepository: image } })),
      (e: Error & { $metadata?: { httpStatusCode?: number } }) => e.name === "ServiceQuotaExceededException" && e.$metadata?.httpStatusCode === 402,
    );
  });
});
