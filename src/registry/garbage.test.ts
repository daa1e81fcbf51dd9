import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { blobsRemoved } from "./garbage.js";

describe("registry garbage collection's report", () => {
  it("counts the blobs it names for deletion, nothing else", () => {
    const output = [
      "app",
      "app: marking manifest sha256:1111",
      "app: marking blob sha256:2222",
      "",
      "3 blobs marked, 2 blobs and 0 manifests eligible for deletion",
      "blob eligible for deletion: sha256:3333",
      "blob eligible for deletion: sha256:4444",
      'time="2026-12-05T16:50:00Z" level=info msg="Deleting blob: /docker/registry/v2/blobs/sha256/33/3333"',
    ].join("\n");
    assert.equal(blobsRemoved(output), 2);
    assert.equal(blobsRemoved("0 blobs marked, 0 blobs and 0 manifests eligible for deletion\n"), 0);
  });
});
