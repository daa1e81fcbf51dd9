import { CreateServiceCommand, DescribeServiceCommand } from "@aws-sdk/client-apprunner";
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import { startInProcess, type InProcessServer } from "./support/harness.js";
import { signRequest } from "./support/sigv4-signer.js";

interface Answer {
  status: number;
  type: string;
  message: string;
}

/**
 * Sends a signed App Runner call after `tamper` has had its way with the headers, through
 * Node's HTTP client: a header given as an array goes out as that many header lines.
 */
async function send(
  server: InProcessServer,
  target: string,
  body: string,
  opts: { unsigned?: string[]; tamper?: (h: Record<string, string | string[]>) => void } = {},
): Promise<Answer> {
  const { endpoint, rootKey } = server.running;
  const signed = await signRequest({
    url: `${endpoint}/`,
    body,
    credentials: rootKey,
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": target },
    unsigned: opts.unsigned,
  });
  const headers: Record<string, string | string[]> = { ...signed.headers };
  opts.tamper?.(headers);
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: "POST", path: "/", headers }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => {
        const parsed = (text ? JSON.parse(text) : {}) as { __type?: string; Message?: string };
        resolve({ status: res.statusCode ?? 0, type: parsed.__type ?? "", message: parsed.Message ?? "" });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

const withSignature = (change: (sig: string) => string) => (h: Record<string, string | string[]>): void => {
  h.authorization = String(h.authorization).replace(/Signature=([0-9a-f]+)/, (_m, sig: string) => `Signature=${change(sig)}`);
};

describe("SigV4 over real HTTP: malformed and replayable signatures are refused", () => {
  let server: InProcessServer;
  let serviceArn = "";
  const describeBody = (): string => JSON.stringify({ ServiceArn: serviceArn });
  before(async () => {
    server = await startInProcess();
    const created = await server.client.send(
      new CreateServiceCommand({
        ServiceName: "signed-only",
        SourceConfiguration: { ImageRepository: { ImageIdentifier: "nginx", ImageRepositoryType: "ECR_PUBLIC" } },
      }),
    );
    serviceArn = created.Service?.ServiceArn ?? "";
  });
  after(async () => server.close());

  it("answers the untouched call", async () => {
    const a = await send(server, "AppRunner.DescribeService", describeBody());
    assert.equal(a.status, 200, a.message);
  });

  const cases: { name: string; opts: Parameters<typeof send>[3]; type: string; message: RegExp }[] = [
    { name: "trailing junk after the signature", opts: { tamper: withSignature((s) => `${s}zz`) }, type: "InvalidSignatureException", message: /does not match/ },
    { name: "an odd-length signature", opts: { tamper: withSignature((s) => `${s}0`) }, type: "InvalidSignatureException", message: /does not match/ },
    { name: "the signature in upper-case hex", opts: { tamper: withSignature((s) => s.toUpperCase()) }, type: "InvalidSignatureException", message: /does not match/ },
    {
      name: "two Authorization headers, the valid one first",
      opts: { tamper: (h) => void (h.authorization = [String(h.authorization), "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/apprunner/aws4_request, SignedHeaders=host, Signature=00"]) },
      type: "IncompleteSignatureException",
      message: /exactly one 'Authorization' header/,
    },
    {
      name: "X-Amz-Target left out of the signature and swapped from Describe to Delete",
      opts: { unsigned: ["x-amz-target", "content-type"], tamper: (h) => void (h["x-amz-target"] = "AppRunner.DeleteService") },
      type: "InvalidSignatureException",
      message: /'X-Amz-Target' must be a 'SignedHeader'/,
    },
    {
      name: "Content-Type left out of the signature",
      opts: { unsigned: ["content-type"] },
      type: "InvalidSignatureException",
      message: /'Content-Type' must be a 'SignedHeader'/,
    },
  ];
  for (const c of cases) {
    it(`${c.name} -> 403 ${c.type}`, async () => {
      const a = await send(server, "AppRunner.DescribeService", describeBody(), c.opts);
      assert.equal(a.status, 403, a.message);
      assert.equal(a.type, c.type);
      assert.match(a.message, c.message);
    });
  }

  it("the service the swapped call aimed at is still there", async () => {
    const described = await server.client.send(new DescribeServiceCommand({ ServiceArn: serviceArn }));
    assert.notEqual(described.Service?.Status, "DELETED");
    assert.equal(described.Service?.ServiceName, "signed-only");
  });
});
