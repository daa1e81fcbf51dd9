import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseRegistryPath, refusalOf, type RegistryRequest } from "./push-policy.js";
import type { TagMutability } from "./types.js";

describe("parseRegistryPath", () => {
  const cases: { path: string; want: RegistryRequest | undefined }[] = [
    { path: "/v2/app/manifests/latest", want: { repository: "app", kind: "manifests", reference: "latest" } },
    { path: "/v2/team/app/manifests/sha256:abc", want: { repository: "team/app", kind: "manifests", reference: "sha256:abc" } },
    { path: "/v2/app/blobs/sha256:abc", want: { repository: "app", kind: "blobs", reference: "sha256:abc" } },
    { path: "/v2/app/blobs/uploads/", want: { repository: "app", kind: "uploads", reference: "" } },
    { path: "/v2/team/app/blobs/uploads/0f9e-uuid", want: { repository: "team/app", kind: "uploads", reference: "0f9e-uuid" } },
    { path: "/v2/app/tags/list", want: { repository: "app", kind: "tags", reference: "list" } },
    { path: "/v2/", want: undefined },
    { path: "/v2/_catalog", want: undefined },
    { path: "/v2/App/manifests/x", want: undefined },
    { path: "/v2/../x/manifests/y", want: undefined },
  ];
  for (const c of cases) it(c.path, () => assert.deepEqual(parseRegistryPath(c.path), c.want));
});

describe("refusalOf", () => {
  const repo = (m: TagMutability): { tagMutability: TagMutability } => ({ tagMutability: m });
  const existing = new Set(["v1"]);
  const facts = (method: string, path: string, repository: { tagMutability: TagMutability } | undefined) => ({
    method,
    request: parseRegistryPath(path) as RegistryRequest,
    repository,
    accountId: "123456789012",
    tagExists: (t: string) => existing.has(t),
  });
  const cases: { name: string; method: string; path: string; repository?: { tagMutability: TagMutability }; want?: string }[] = [
    { name: "an unknown repository, push", method: "POST", path: "/v2/app/blobs/uploads/", want: "404 NAME_UNKNOWN The repository with name 'app' does not exist in the registry with id '123456789012'" },
    { name: "an unknown repository, pull", method: "GET", path: "/v2/app/manifests/v1", want: "404 NAME_UNKNOWN The repository with name 'app' does not exist in the registry with id '123456789012'" },
    { name: "an existing tag of an IMMUTABLE repository", method: "PUT", path: "/v2/app/manifests/v1", repository: repo("IMMUTABLE"), want: "400 TAG_INVALID The image tag 'v1' already exists in the 'app' repository and cannot be overwritten because the repository is immutable." },
    { name: "a new tag of an IMMUTABLE repository", method: "PUT", path: "/v2/app/manifests/v2", repository: repo("IMMUTABLE") },
    { name: "a manifest by digest in an IMMUTABLE repository", method: "PUT", path: `/v2/app/manifests/sha256:${"a".repeat(64)}`, repository: repo("IMMUTABLE") },
    { name: "an existing tag of a MUTABLE repository", method: "PUT", path: "/v2/app/manifests/v1", repository: repo("MUTABLE") },
    { name: "a pull of an IMMUTABLE repository", method: "GET", path: "/v2/app/manifests/v1", repository: repo("IMMUTABLE") },
    { name: "a blob upload", method: "PUT", path: "/v2/app/blobs/uploads/x", repository: repo("IMMUTABLE") },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = refusalOf(facts(c.method, c.path, c.repository));
      assert.equal(r ? `${r.status} ${r.code} ${r.message}` : undefined, c.want);
    });
  }
});
