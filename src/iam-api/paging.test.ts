import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { page } from "./paging.js";

describe("IAM's paging (Marker, MaxItems, IsTruncated)", () => {
  const items = ["a", "b", "c", "d", "e"];
  it("all at once by default", () => assert.deepEqual(page(items, {}), { items, IsTruncated: false }));
  it("pages follow each other through the marker until the last", () => {
    const seen: string[] = [];
    let marker: string | undefined;
    for (let i = 0; i < 10; i++) {
      const p = page(items, { MaxItems: 2, ...(marker ? { Marker: marker } : {}) });
      seen.push(...p.items);
      if (!p.IsTruncated) break;
      marker = p.Marker;
    }
    assert.deepEqual(seen, items);
  });
  it("a marker that is not one is refused", () => {
    assert.throws(() => page(items, { Marker: Buffer.from("x").toString("base64") }), /Invalid Marker/);
  });
});
