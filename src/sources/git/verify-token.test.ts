import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { verifyProviderToken } from "./verify-token.js";

const answering = (status: number): typeof fetch => (async () => new Response("{}", { status })) as typeof fetch;
const failing: typeof fetch = (async () => {
  throw new TypeError("fetch failed");
}) as typeof fetch;

describe("verifyProviderToken", () => {
  const table: [string, typeof fetch, string][] = [
    ["GITHUB", answering(200), "accepted"],
    ["GITHUB", answering(401), "refused"],
    ["BITBUCKET", answering(403), "refused"],
    ["GITHUB", answering(502), "unreachable"],
    ["GITHUB", failing, "unreachable"],
    ["GITLAB", answering(200), "unreachable"],
  ];
  for (const [provider, f, verdict] of table) {
    it(`${provider} -> ${verdict}`, async () => {
      const check = await verifyProviderToken(provider, "secret-token", { fetch: f });
      assert.equal(check.verdict, verdict);
      assert.ok(!check.detail.includes("secret-token"));
    });
  }
  it("asks with the token as a bearer credential", async () => {
    let seen = "";
    const f = (async (_url: string | URL | Request, init?: RequestInit) => {
      seen = new Headers(init?.headers).get("authorization") ?? "";
      return new Response("{}", { status: 200 });
    }) as typeof fetch;
    await verifyProviderToken("GITHUB", "t0k", { fetch: f });
    assert.equal(seen, "Bearer t0k");
  });
});
