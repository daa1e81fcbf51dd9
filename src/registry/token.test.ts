import assert from "node:assert/strict";
import { createPublicKey, generateKeyPairSync, verify } from "node:crypto";
import { describe, it } from "node:test";
import { decodeClaims, grantedAccess, libtrustKeyId, parseScopes, signToken, tokenGrants, TOKEN_ISSUER, TOKEN_SERVICE } from "./token.js";

describe("parseScopes", () => {
  const cases: { scopes: string[]; want: ReturnType<typeof parseScopes> }[] = [
    { scopes: ["repository:app:pull,push"], want: [{ type: "repository", name: "app", actions: ["pull", "push"] }] },
    { scopes: ["repository:team/app:pull"], want: [{ type: "repository", name: "team/app", actions: ["pull"] }] },
    { scopes: ["repository:a:pull repository:b:push"], want: [{ type: "repository", name: "a", actions: ["pull"] }, { type: "repository", name: "b", actions: ["push"] }] },
    { scopes: ["registry:catalog:*"], want: [{ type: "registry", name: "catalog", actions: ["*"] }] },
    { scopes: ["repository:app:", "repository::pull", "nonsense", ""], want: [] },
    { scopes: [], want: [] },
  ];
  for (const c of cases) it(JSON.stringify(c.scopes), () => assert.deepEqual(parseScopes(c.scopes), c.want));
});

describe("grantedAccess", () => {
  const known = (name: string): object | undefined => (["app", "team/app"].includes(name) ? {} : undefined);
  const cases: { name: string; scopes: string[]; want: ReturnType<typeof grantedAccess> }[] = [
    { name: "push and pull on a known repository", scopes: ["repository:app:pull,push"], want: [{ type: "repository", name: "app", actions: ["pull", "push"] }] },
    { name: "nothing on an unknown repository", scopes: ["repository:other:pull,push"], want: [] },
    { name: "no delete or wildcard for clients", scopes: ["repository:app:delete,*,pull"], want: [{ type: "repository", name: "app", actions: ["pull"] }] },
    { name: "no catalog", scopes: ["registry:catalog:*"], want: [] },
    { name: "duplicates once", scopes: ["repository:team/app:pull,pull"], want: [{ type: "repository", name: "team/app", actions: ["pull"] }] },
    { name: "docker login asks no scope", scopes: [], want: [] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(grantedAccess(parseScopes(c.scopes), known), c.want));
});

describe("signToken", () => {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });

  it("is an ES256 JWS naming its key by libtrust ID, with the Docker token spec's claims", () => {
    const kid = libtrustKeyId(privateKey);
    const token = signToken({ subject: "AKIA", access: [{ type: "repository", name: "app", actions: ["pull"] }], issuedAtSeconds: 1000, expiresInSeconds: 300, id: "j1" }, privateKey, kid);
    const [header = "", body = "", signature = ""] = token.split(".");
    assert.deepEqual(JSON.parse(Buffer.from(header, "base64url").toString()), { typ: "JWT", alg: "ES256", kid });
    assert.deepEqual(decodeClaims(token), {
      iss: TOKEN_ISSUER,
      sub: "AKIA",
      aud: TOKEN_SERVICE,
      exp: 1300,
      nbf: 999,
      iat: 1000,
      jti: "j1",
      access: [{ type: "repository", name: "app", actions: ["pull"] }],
    });
    const raw = Buffer.from(signature, "base64url");
    assert.equal(raw.length, 64, "JWS wants r||s, not DER");
    assert.ok(verify("sha256", Buffer.from(`${header}.${body}`), { key: createPublicKey(privateKey), dsaEncoding: "ieee-p1363" }, raw));
  });

  it("libtrust key IDs are twelve groups of four base32 characters, one per key", () => {
    const kid = libtrustKeyId(privateKey);
    assert.match(kid, /^[A-Z2-7]{4}(?::[A-Z2-7]{4}){11}$/);
    assert.equal(libtrustKeyId(createPublicKey(privateKey)), kid, "the same for the public half");
    assert.notEqual(libtrustKeyId(generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey), kid);
  });
});

describe("tokenGrants: what a bearer token grants, read only to refuse early", () => {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const token = signToken({ subject: "AKIA", access: [{ type: "repository", name: "app", actions: ["pull"] }], issuedAtSeconds: 1000, expiresInSeconds: 300, id: "j2" }, privateKey, "kid");
  const cases: { name: string; header: string | undefined; repository: string; action: string; want: boolean | undefined }[] = [
    { name: "pull granted", header: `Bearer ${token}`, repository: "app", action: "pull", want: true },
    { name: "push not granted", header: `Bearer ${token}`, repository: "app", action: "push", want: false },
    { name: "another repository", header: `Bearer ${token}`, repository: "other", action: "pull", want: false },
    { name: "basic auth is not a token", header: "Basic QVdTOng=", repository: "app", action: "push", want: undefined },
    { name: "garbage is not ours to read", header: "Bearer not.a-token.at-all", repository: "app", action: "push", want: undefined },
    { name: "no header", header: undefined, repository: "app", action: "push", want: undefined },
  ];
  for (const c of cases) it(c.name, () => assert.equal(tokenGrants(c.header, c.repository, c.action), c.want));
});
