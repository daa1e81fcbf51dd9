import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decideFollow, FollowMemory, type FollowDecision, type FollowRequest, type RememberedAnswer } from "./follow-detection.js";

const T0 = Date.UTC(2026, 2, 1);
const NEWEST = T0 - 1_234;

/** What we answered (without a nextToken) at T0 to the CLI's first poll. */
const answer: RememberedAnswer = {
  caller: "AKIAONE",
  group: "/aws/apprunner/app/1/application",
  filterPattern: "",
  scope: { kind: "all" },
  nextStartTime: NEWEST,
  answeredAt: T0,
};

/** The CLI's next poll: same query, startTime = newest event seen, no nextToken. */
const poll: FollowRequest = {
  caller: answer.caller,
  group: answer.group,
  filterPattern: "",
  scope: { kind: "all" },
  startTime: NEWEST,
  endTime: undefined,
  hasNextToken: false,
  interleaved: true,
};

describe("decideFollow", () => {
  const cases: { name: string; request?: Partial<FollowRequest>; answer?: Partial<RememberedAnswer> | "none"; at: number; expect: FollowDecision }[] = [
    { name: "the CLI's poll 5 s later", at: T0 + 5_010, expect: { continuation: true } },
    { name: "at the window's start", at: T0 + 4_000, expect: { continuation: true } },
    { name: "at the window's end", at: T0 + 8_000, expect: { continuation: true } },
    { name: "too early (a paginator's next call)", at: T0 + 200, expect: { continuation: false, reason: "too-early" } },
    { name: "just before the window", at: T0 + 3_999, expect: { continuation: false, reason: "too-early" } },
    { name: "too late", at: T0 + 8_001, expect: { continuation: false, reason: "too-late" } },
    { name: "wrong startTime", request: { startTime: NEWEST + 1 }, at: T0 + 5_000, expect: { continuation: false, reason: "different-start-time" } },
    {
      name: "no events answered yet: the previous startTime continues",
      request: { startTime: T0 - 600_000 },
      answer: { nextStartTime: T0 - 600_000 },
      at: T0 + 5_000,
      expect: { continuation: true },
    },
    { name: "different caller", request: { caller: "AKIATWO" }, at: T0 + 5_000, expect: { continuation: false, reason: "different-query" } },
    { name: "different group", request: { group: "/other" }, at: T0 + 5_000, expect: { continuation: false, reason: "different-query" } },
    { name: "different pattern", request: { filterPattern: "ERROR" }, at: T0 + 5_000, expect: { continuation: false, reason: "different-query" } },
    {
      name: "different stream names",
      request: { scope: { kind: "names", names: ["a"] } },
      at: T0 + 5_000,
      expect: { continuation: false, reason: "different-query" },
    },
    {
      name: "same stream prefix",
      request: { scope: { kind: "prefix", prefix: "instance/" } },
      answer: { scope: { kind: "prefix", prefix: "instance/" } },
      at: T0 + 5_000,
      expect: { continuation: true },
    },
    {
      name: "different stream prefix",
      request: { scope: { kind: "prefix", prefix: "instance/" } },
      answer: { scope: { kind: "prefix", prefix: "events" } },
      at: T0 + 5_000,
      expect: { continuation: false, reason: "different-query" },
    },
    { name: "with endTime", request: { endTime: T0 }, at: T0 + 5_000, expect: { continuation: false, reason: "has-end-time" } },
    { name: "with nextToken", request: { hasNextToken: true }, at: T0 + 5_000, expect: { continuation: false, reason: "has-next-token" } },
    { name: "without startTime", request: { startTime: undefined }, at: T0 + 5_000, expect: { continuation: false, reason: "no-start-time" } },
    { name: "without interleaved", request: { interleaved: undefined }, at: T0 + 5_000, expect: { continuation: false, reason: "not-interleaved" } },
    { name: "interleaved false", request: { interleaved: false }, at: T0 + 5_000, expect: { continuation: false, reason: "not-interleaved" } },
    { name: "nothing answered before", answer: "none", at: T0 + 5_000, expect: { continuation: false, reason: "no-previous-answer" } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const previous = c.answer === "none" ? undefined : { ...answer, ...c.answer };
      assert.deepEqual(decideFollow({ ...poll, ...c.request }, previous, c.at), c.expect);
    });
  }
});

describe("FollowMemory", () => {
  const opts = { ttlMs: 30_000, maxEntries: 3, window: { min: 4_000, max: 8_000 } };

  it("finds a remembered answer by query and startTime, once", () => {
    const memory = new FollowMemory(opts);
    memory.remember(answer);
    assert.equal(memory.takeContinuation({ ...poll, startTime: NEWEST + 1 }, T0 + 5_000), false);
    assert.equal(memory.takeContinuation({ ...poll, caller: "AKIATWO" }, T0 + 5_000), false);
    assert.equal(memory.takeContinuation(poll, T0 + 1_000), false, "too early: still remembered");
    assert.equal(memory.takeContinuation(poll, T0 + 5_000), true);
    assert.equal(memory.takeContinuation(poll, T0 + 5_100), false, "used up");
  });

  it("keeps two tails of one query by one caller apart", () => {
    const memory = new FollowMemory(opts);
    memory.remember(answer);
    memory.remember({ ...answer, nextStartTime: NEWEST + 500, answeredAt: T0 + 1_000 });
    assert.equal(memory.takeContinuation(poll, T0 + 5_000), true);
    assert.equal(memory.takeContinuation({ ...poll, startTime: NEWEST + 500 }, T0 + 6_000), true);
  });

  it("forgets answers past their time and beyond its size", () => {
    const memory = new FollowMemory(opts);
    memory.remember(answer);
    memory.remember({ ...answer, group: "/g2", answeredAt: T0 + 40_000 });
    assert.equal(memory.size, 1, "the first expired");
    for (const g of ["/g3", "/g4", "/g5"]) memory.remember({ ...answer, group: g, answeredAt: T0 + 40_000 });
    assert.equal(memory.size, 3);
    assert.equal(memory.takeContinuation({ ...poll, group: "/g2" }, T0 + 45_000), false, "the oldest went first");
    assert.equal(memory.takeContinuation({ ...poll, group: "/g5" }, T0 + 45_000), true);
  });
});
