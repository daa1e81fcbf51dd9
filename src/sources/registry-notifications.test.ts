import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { pushesOf } from "./registry-notifications.js";
import { sameImage } from "./image-watcher.js";

describe("pushesOf: a CNCF distribution notification envelope", () => {
  it("keeps tag pushes and takes the registry host from the request (or the target URL)", () => {
    const envelope = {
      events: [
        { action: "push", target: { repository: "hello", tag: "latest", url: "http://127.0.0.1:5000/v2/hello/manifests/sha256:ab" }, request: { host: "127.0.0.1:5000" } },
        { action: "push", target: { repository: "team/app", tag: "v2", url: "http://reg.local:5000/v2/team/app/manifests/sha256:cd" }, request: {} },
        { action: "push", target: { repository: "hello", tag: "v3", digest: "sha256:aa" }, request: { host: "127.0.0.1:5000" } },
        { action: "pull", target: { repository: "hello", tag: "latest" }, request: { host: "127.0.0.1:5000" } },
        { action: "push", target: { repository: "hello", digest: "sha256:ef" }, request: { host: "127.0.0.1:5000" } },
      ],
    };
    assert.deepEqual(pushesOf(envelope), [
      { registryHost: "127.0.0.1:5000", repository: "hello", tag: "latest" },
      { registryHost: "reg.local:5000", repository: "team/app", tag: "v2" },
      { registryHost: "127.0.0.1:5000", repository: "hello", tag: "v3", digest: "sha256:aa" },
    ]);
  });

  it("ignores what is not an envelope", () => {
    for (const bad of [null, 3, {}, { events: "x" }, { events: [null] }]) assert.deepEqual(pushesOf(bad), []);
  });
});

describe("sameImage", () => {
  const table: [string, string, string, string, boolean][] = [
    ["127.0.0.1:5000/hello:latest", "127.0.0.1:5000", "hello", "latest", true],
    ["127.0.0.1:5000/hello", "127.0.0.1:5000", "hello", "latest", true],
    ["127.0.0.1:5000/team/app:v2", "127.0.0.1:5000", "team/app", "v2", true],
    ["127.0.0.1:5000/hello:latest", "127.0.0.1:5001", "hello", "latest", false],
    ["127.0.0.1:5000/hello:v1", "127.0.0.1:5000", "hello", "latest", false],
    ["hello:latest", "127.0.0.1:5000", "hello", "latest", false],
  ];
  for (const [id, host, repo, tag, expected] of table) {
    it(`${id} vs ${host}/${repo}:${tag}`, () => assert.equal(sameImage(id, host, repo, tag), expected));
  }
  // The built-in registry notifies with its address; a service may name it by this account's ECR host.
  const builtIn = (host: string): string => (host === "123456789012.dkr.ecr.us-east-1.amazonaws.com" ? "127.0.0.1:8601" : host);
  const both: [string, string, boolean][] = [
    ["123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1", "127.0.0.1:8601", true],
    ["127.0.0.1:8601/app:v1", "127.0.0.1:8601", true],
    ["123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1", "127.0.0.1:5000", false],
    ["210987654321.dkr.ecr.us-east-1.amazonaws.com/app:v1", "127.0.0.1:8601", false],
  ];
  for (const [id, host, expected] of both) {
    it(`${id} vs ${host}/app:v1, one registry by two names`, () => assert.equal(sameImage(id, host, "app", "v1", builtIn), expected));
  }
});
