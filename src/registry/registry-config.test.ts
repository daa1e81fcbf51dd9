import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderRegistryConfig } from "./registry-config.js";
import { restartBackoffMs } from "./registry-process.js";

describe("renderRegistryConfig", () => {
  const base = { storageDir: "/d/registry/storage", socketPath: "/d/registry/registry.sock", httpSecret: "s", realm: "http://127.0.0.1:8601/token", service: "svc", issuer: "iss", rootCertBundle: "/d/registry/token-signing.crt" };

  it("listens on a unix socket only, with token auth, deletes and relative URLs", () => {
    const c = JSON.parse(renderRegistryConfig(base)) as Record<string, Record<string, unknown>>;
    assert.deepEqual(c.http, { net: "unix", addr: base.socketPath, secret: "s", relativeurls: true });
    assert.deepEqual(c.auth, { token: { realm: base.realm, service: "svc", issuer: "iss", rootcertbundle: base.rootCertBundle } });
    assert.deepEqual(c.storage?.delete, { enabled: true });
    assert.deepEqual(c.storage?.filesystem, { rootdirectory: base.storageDir });
    assert.equal(c.notifications, undefined);
  });

  it("notifies the control plane with its bearer token, manifests only", () => {
    const c = JSON.parse(renderRegistryConfig({ ...base, notifications: { url: "http://127.0.0.1:8600/n", token: "t" } })) as { notifications: { endpoints: Record<string, unknown>[] } };
    const [e] = c.notifications.endpoints;
    assert.equal(e?.url, "http://127.0.0.1:8600/n");
    assert.deepEqual(e?.headers, { Authorization: ["Bearer t"] });
    assert.deepEqual(e?.ignoredmediatypes, ["application/octet-stream"]);
  });
});

describe("restartBackoffMs", () => {
  const cases: [number, number][] = [
    [0, 500],
    [1, 1000],
    [3, 4000],
    [5, 10_000],
    [40, 10_000],
  ];
  for (const [failures, want] of cases) it(`${failures} failed starts: ${want} ms`, () => assert.equal(restartBackoffMs(500, failures), want));
});
