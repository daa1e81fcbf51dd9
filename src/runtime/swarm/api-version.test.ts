import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareApiVersions, negotiateApiVersion, type DaemonApiVersions, type Negotiated } from "./api-version.js";

describe("negotiateApiVersion", () => {
  const table: [string, DaemonApiVersions, Negotiated][] = [
    ["Debian's Docker 20.10 speaks its own 1.41", { ApiVersion: "1.41", MinAPIVersion: "1.12" }, { ok: true, version: "1.41" }],
    ["Docker 28 speaks 1.50", { ApiVersion: "1.50", MinAPIVersion: "1.24" }, { ok: true, version: "1.50" }],
    ["Docker 29 (minimum 1.44) speaks 1.51, never an old version", { ApiVersion: "1.52", MinAPIVersion: "1.44" }, { ok: true, version: "1.51" }],
    ["a daemon newer than we know is spoken to in ours", { ApiVersion: "1.60", MinAPIVersion: "1.44" }, { ok: true, version: "1.51" }],
    ["a daemon older than 20.10 is refused", { ApiVersion: "1.40", MinAPIVersion: "1.12" }, { ok: false, reason: "the Docker daemon speaks Engine API 1.40; OpenRunner needs 1.41 or newer (Docker 20.10+)" }],
    ["a daemon whose minimum is past ours is refused", { ApiVersion: "1.70", MinAPIVersion: "1.60" }, { ok: false, reason: "the Docker daemon needs Engine API 1.60 or newer; OpenRunner speaks up to 1.51" }],
    ["garbage is refused", { ApiVersion: "v2" }, { ok: false, reason: 'the daemon reports an unreadable API version "v2"' }],
  ];
  for (const [name, daemon, want] of table) it(name, () => assert.deepEqual(negotiateApiVersion(daemon), want));

  it("compares minor versions numerically", () => {
    assert.ok(compareApiVersions("1.9", "1.41") < 0);
    assert.ok(compareApiVersions("1.41", "1.41") === 0);
  });
});
