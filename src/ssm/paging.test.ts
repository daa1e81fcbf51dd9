import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pageOf } from "./paging.js";

describe("SSM's NextToken", () => {
  const names = ["a", "b", "c", "d", "e"];
  it("pages through every item once, a token only when more follow", () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = pageOf(names, (n) => n, token, 2);
      seen.push(...page.items);
      token = page.nextToken;
      pages++;
    } while (token && pages < 10);
    assert.deepEqual(seen, names);
    assert.equal(pages, 3);
    assert.equal(pageOf(names, (n) => n, undefined, 5).nextToken, undefined);
  });
  it("stays right when an item before the cursor goes between calls", () => {
    const first = pageOf(names, (n) => n, undefined, 2);
    assert.deepEqual(pageOf(["a", "c", "d", "e"], (n) => n, first.nextToken, 2).items, ["c", "d"]);
  });
  it("numbers (versions) page as numbers", () => {
    const first = pageOf([1, 2, 10, 11], (n) => n, undefined, 2);
    assert.deepEqual(pageOf([1, 2, 10, 11], (n) => n, first.nextToken, 2).items, [10, 11]);
  });
  for (const bad of ["garbage", Buffer.from("{}").toString("base64url"), Buffer.from(JSON.stringify({ a: 3 })).toString("base64url")]) {
    it(`a token not of ours (${bad}) is InvalidNextToken`, () => assert.throws(() => pageOf(names, (n) => n, bad, 2), { code: "SsmInvalidNextToken" }));
  }
});
