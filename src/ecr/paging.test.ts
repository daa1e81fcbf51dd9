import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeNextToken, pageOf } from "./paging.js";

describe("ECR paging", () => {
  const items = ["a", "b", "c", "d", "e"];
  const all = (max: number, removeAfterFirst: string[] = []): string[][] => {
    const pages: string[][] = [];
    let token: string | undefined;
    let current = items;
    do {
      const p = pageOf(current, (s) => s, token, max);
      pages.push(p.items);
      token = p.nextToken;
      current = current.filter((i) => !removeAfterFirst.includes(i));
    } while (token !== undefined);
    return pages;
  };
  const cases: [name: string, max: number, expected: string[][]][] = [
    ["one page when everything fits", 10, [items]],
    ["exactly the page size: no token", 5, [items]],
    ["pages of 2", 2, [["a", "b"], ["c", "d"], ["e"]]],
    ["pages of 1", 1, items.map((i) => [i])],
  ];
  for (const [name, max, expected] of cases) it(name, () => assert.deepEqual(all(max), expected));

  it("a page stays right when items before it are deleted between calls", () => {
    assert.deepEqual(all(2, ["a", "b"]), [["a", "b"], ["c", "d"], ["e"]]);
  });

  it("a token it did not make is InvalidParameterException", () => {
    for (const bad of ["x", Buffer.from("{}").toString("base64url"), Buffer.from('{"a":1}').toString("base64url")]) {
      assert.throws(() => decodeNextToken(bad), { code: "InvalidParameter" });
    }
  });
});
