import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { uploadCompletionPath } from "./built-in.js";

describe("an upload's completing PUT (OpenRunner's own push)", () => {
  it("keeps the Location's path and state and adds the digest, whether the Location is absolute or not", () => {
    const hex = "a".repeat(64);
    const table: [string, string][] = [
      ["http://127.0.0.1:8601/v2/apprunner/web/1/blobs/uploads/u-1?_state=abc%3D", `/v2/apprunner/web/1/blobs/uploads/u-1?_state=abc%3D&digest=sha256%3A${hex}`],
      ["/v2/app/blobs/uploads/u-2?_state=x", `/v2/app/blobs/uploads/u-2?_state=x&digest=sha256%3A${hex}`],
      ["/v2/app/blobs/uploads/u-3", `/v2/app/blobs/uploads/u-3?digest=sha256%3A${hex}`],
    ];
    for (const [location, expected] of table) assert.equal(uploadCompletionPath(location, `sha256:${hex}`), expected, location);
  });
});
