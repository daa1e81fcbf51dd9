import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { RequestContext } from "../../../domain/api-context.js";
import { DEFAULT_QUOTAS } from "../../../domain/config.js";
import { AppRunnerError } from "../../../errors/app-runner-error.js";
import { ManualClock } from "../../../util/clock.js";
import { LogStore } from "../store/log-store.js";
import { DEFAULT_FOLLOW_SETTINGS, FollowChains } from "./follow-chain.js";
import { logsApi } from "./logs-api.js";
import { decodeFilterToken, encodeFilterToken } from "./tokens.js";

interface FilterOut {
  events: { message: string; timestamp: number }[];
  nextToken?: string;
}

const T0 = Date.UTC(2026, 2, 1);
const GROUP = "/aws/apprunner/app/1/application";
const config = { region: "eu-west-1", accountId: "111122223333", baseDomain: "x", quotas: DEFAULT_QUOTAS };
const principal = (accessKeyId: string): RequestContext["principal"] => ({
  accessKeyId,
  accountId: "111122223333",
  arn: "arn:aws:iam::111122223333:root",
  type: "Root",
});

/** Lets pending callbacks and I/O run, so a request that is going to wait is waiting. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A held request's timer is unref'd (it never keeps a process alive): the test keeps this one alive. */
async function keepingAlive<T>(p: Promise<T>): Promise<T> {
  const alive = setInterval(() => undefined, 1_000);
  try {
    return await p;
  } finally {
    clearInterval(alive);
  }
}

describe("FilterLogEvents follow chains (aws logs tail --follow)", () => {
  let dir: string;
  let clock: ManualClock;
  let store: LogStore;
  let follow: FollowChains;
  let call: (input: Record<string, unknown>, caller?: string) => Promise<FilterOut>;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "openrunner-follow-"));
    clock = new ManualClock(T0);
    // Only explicit flushes write (and wake): the tests decide when lines land.
    store = LogStore.open(join(dir, "logs.db"), clock, { flushDelayMs: 60_000 });
    // Long enough never to end a wait the test ends itself, and no batching; tests of those set their own.
    follow = new FollowChains({ ...DEFAULT_FOLLOW_SETTINGS, holdMs: 60_000, batchMs: 0 });
    const api = logsApi(store, { follow });
    call = async (input, caller = "AKIAONE") => {
      const h = api.operations.FilterLogEvents;
      assert.ok(h);
      const ctx = { config, clock, principal: principal(caller), requestId: "r" } as unknown as RequestContext;
      return (await h({ logGroupName: GROUP, ...input }, ctx)) as FilterOut;
    };
    store.append(GROUP, "instance/a", [
      { timestamp: T0 - 3_000, message: "one" },
      { timestamp: T0 - 2_000, message: "two" },
    ]);
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const append = (timestamp: number, message: string): void => {
    store.append(GROUP, "instance/b", [{ timestamp, message }]);
    store.flush();
  };

  /** The CLI's first poll, its 5 s sleep, and the poll that starts the chain: returns its follow token. */
  const startChain = async (caller = "AKIAONE"): Promise<string> => {
    const first = await call({ startTime: T0 - 600_000, interleaved: true }, caller);
    assert.deepEqual(first.events.map((e) => e.message), ["one", "two"]);
    assert.equal(first.nextToken, undefined, "a first poll looks like any other request");
    clock.advance(5_000);
    const second = await call({ startTime: T0 - 2_000, interleaved: true }, caller);
    assert.deepEqual(second.events.map((e) => e.message), ["two"], "the CLI drops what it saw by eventId");
    assert.ok(second.nextToken);
    assert.equal(decodeFilterToken(second.nextToken).kind, "follow");
    return second.nextToken;
  };

  it("holds a follow request until a line is written to the group, then answers with it and a new follow token", async () => {
    const token = await startChain();
    let answered: FilterOut | undefined;
    const held = call({ startTime: T0 - 2_000, interleaved: true, nextToken: token }).then((out) => (answered = out));
    await settle();
    assert.equal(answered, undefined, "nothing new: it waits");
    assert.equal(follow.stats.holding, 1);
    const waitingOrdinal = follow.stats.requests;

    store.append("/another/group", "s", [{ timestamp: T0, message: "elsewhere" }]);
    store.flush();
    await settle();
    assert.equal(answered, undefined, "another group's lines do not wake it");

    append(T0 + 100, "three");
    const out = await held;
    assert.deepEqual(out.events.map((e) => e.message), ["three"]);
    assert.equal(decodeFilterToken(out.nextToken ?? "").kind, "follow");
    assert.deepEqual(follow.stats, { requests: waitingOrdinal, holding: 0, wokenAnswers: 1, lastWokenRequest: waitingOrdinal });

    // Lines already there after the position come back at once, strictly after it.
    append(T0 + 100, "four, same millisecond");
    const next = await call({ startTime: T0 - 2_000, interleaved: true, nextToken: out.nextToken });
    assert.deepEqual(next.events.map((e) => e.message), ["four, same millisecond"]);
  });

  it("wakes only for lines the query matches", async () => {
    await call({ startTime: T0 - 600_000, interleaved: true, filterPattern: "two" });
    clock.advance(5_000);
    const start = await call({ startTime: T0 - 2_000, interleaved: true, filterPattern: "two" });
    assert.ok(start.nextToken);
    let answered: FilterOut | undefined;
    const held = call({ startTime: T0 - 2_000, interleaved: true, filterPattern: "two", nextToken: start.nextToken }).then((out) => (answered = out));
    append(T0 + 1, "not this");
    await settle();
    assert.equal(answered, undefined, "still waiting");
    append(T0 + 2, "two again");
    assert.deepEqual((await held).events.map((e) => e.message), ["two again"]);
  });

  it("answers without a nextToken when nothing comes within the hold time, and the CLI's next poll resumes the chain", async () => {
    follow = new FollowChains({ ...DEFAULT_FOLLOW_SETTINGS, holdMs: 5, batchMs: 0 });
    const api = logsApi(store, { follow });
    const h = api.operations.FilterLogEvents;
    assert.ok(h);
    const ctx = { config, clock, principal: principal("AKIAONE"), requestId: "r" } as unknown as RequestContext;
    call = async (input) => (await h({ logGroupName: GROUP, ...input }, ctx)) as FilterOut;
    const token = await startChain();
    const timedOut = await keepingAlive(call({ startTime: T0 - 2_000, interleaved: true, nextToken: token }));
    assert.deepEqual(timedOut, { events: [], searchedLogStreams: [{ logStreamName: "instance/a", searchedCompletely: true }] });
    assert.equal(follow.stats.holding, 0);
    clock.advance(5_000);
    const resumed = await call({ startTime: T0 - 2_000, interleaved: true });
    assert.equal(decodeFilterToken(resumed.nextToken ?? "").kind, "follow", "the same startTime, 5 s after the answer");
  });

  it("sends lines that arrive in a burst together", async () => {
    follow = new FollowChains({ ...DEFAULT_FOLLOW_SETTINGS, holdMs: 60_000, batchMs: 1_000 });
    const h = logsApi(store, { follow }).operations.FilterLogEvents;
    assert.ok(h);
    const ctx = { config, clock, principal: principal("AKIAONE"), requestId: "r" } as unknown as RequestContext;
    call = async (input) => (await h({ logGroupName: GROUP, ...input }, ctx)) as FilterOut;
    const token = await startChain();
    let answered: FilterOut | undefined;
    const held = keepingAlive(call({ startTime: T0 - 2_000, interleaved: true, nextToken: token })).then((out) => (answered = out));
    await settle();
    append(T0 + 1, "first of a burst");
    await settle();
    assert.equal(answered, undefined, "woken, and waiting for the rest of the burst");
    assert.equal(follow.stats.holding, 0, "no longer waiting for a first line");
    append(T0 + 2, "second of a burst");
    assert.deepEqual((await held).events.map((e) => e.message), ["first of a burst", "second of a burst"]);
  });

  it("catches up at once: a page that may have more is not held back for a batch", async () => {
    // A batch delay far beyond the test's timeout: if it applied, the test would fail.
    follow = new FollowChains({ ...DEFAULT_FOLLOW_SETTINGS, holdMs: 60_000, batchMs: 600_000 });
    const h = logsApi(store, { follow, limits: { scanBudget: 1, maxResponseBytes: 1_000_000 } }).operations.FilterLogEvents;
    assert.ok(h);
    const ctx = { config, clock, principal: principal("AKIAONE"), requestId: "r" } as unknown as RequestContext;
    const nextToken = encodeFilterToken({ kind: "follow", after: { t: 0, i: 0 } });
    const out = (await h({ logGroupName: GROUP, startTime: 0, interleaved: true, nextToken }, ctx)) as FilterOut;
    assert.deepEqual(out.events.map((e) => e.message), ["one"]);
    assert.equal(decodeFilterToken(out.nextToken ?? "").kind, "follow");
  });

  it("holds at most maxHeld requests: beyond them a request answers at once and its chain ends", async () => {
    follow = new FollowChains({ ...DEFAULT_FOLLOW_SETTINGS, holdMs: 60_000, batchMs: 0, maxHeld: 1 });
    const h = logsApi(store, { follow }).operations.FilterLogEvents;
    assert.ok(h);
    const ctx = { config, clock, principal: principal("AKIAONE"), requestId: "r" } as unknown as RequestContext;
    call = async (input) => (await h({ logGroupName: GROUP, ...input }, ctx)) as FilterOut;
    const token = await startChain();
    const held = call({ startTime: T0 - 2_000, interleaved: true, nextToken: token });
    await settle();
    assert.deepEqual(await call({ startTime: T0 - 2_000, interleaved: true, nextToken: token }), {
      events: [],
      searchedLogStreams: [{ logStreamName: "instance/a", searchedCompletely: true }],
    });
    append(T0 + 1, "three");
    assert.deepEqual((await held).events.map((e) => e.message), ["three"]);
  });

  it("answers held requests when the store closes", async () => {
    const token = await startChain();
    const held = call({ startTime: T0 - 2_000, interleaved: true, nextToken: token });
    await settle();
    store.close();
    assert.deepEqual(await held, { events: [], searchedLogStreams: [] });
    assert.equal(follow.stats.holding, 0);
  });

  it("never starts a chain for another caller, a paginator's next page or a script without interleaved", async () => {
    await call({ startTime: T0 - 600_000, interleaved: true });
    clock.advance(5_000);
    assert.equal((await call({ startTime: T0 - 2_000, interleaved: true }, "AKIATWO")).nextToken, undefined);
    await call({ startTime: T0 - 600_000 });
    clock.advance(5_000);
    assert.equal((await call({ startTime: T0 - 2_000 })).nextToken, undefined);
    await call({ startTime: T0 - 600_000, interleaved: true });
    clock.advance(100);
    assert.equal((await call({ startTime: T0 - 2_000, interleaved: true })).nextToken, undefined);
  });

  it("carries a chain's newest timestamp through scan pages", async () => {
    const api = logsApi(store, { follow, limits: { scanBudget: 1, maxResponseBytes: 1_000_000 } });
    const h = api.operations.FilterLogEvents;
    assert.ok(h);
    const ctx = { config, clock, principal: principal("AKIAONE"), requestId: "r" } as unknown as RequestContext;
    const page = async (input: Record<string, unknown>): Promise<FilterOut> => (await h({ logGroupName: GROUP, ...input }, ctx)) as FilterOut;
    const p1 = await page({ startTime: T0 - 600_000, interleaved: true });
    assert.deepEqual(decodeFilterToken(p1.nextToken ?? ""), { kind: "scan", after: { t: T0 - 3_000, i: 1 }, newest: T0 - 3_000 });
    const p2 = await page({ startTime: T0 - 600_000, interleaved: true, nextToken: p1.nextToken });
    const p3 = await page({ startTime: T0 - 600_000, interleaved: true, nextToken: p2.nextToken });
    assert.equal(p3.nextToken, undefined);
    clock.advance(5_000);
    const poll = await page({ startTime: T0 - 2_000, interleaved: true });
    assert.equal(decodeFilterToken(poll.nextToken ?? "").kind, "follow", "newest came from page 2");
  });

  it("refuses tampered tokens as InvalidParameterException", async () => {
    const bad = [
      Buffer.from(JSON.stringify({ k: "x", t: 1, i: 1 })).toString("base64url"),
      Buffer.from(JSON.stringify({ k: "f", t: -1, i: 1 })).toString("base64url"),
      Buffer.from(JSON.stringify({ k: "f", t: 1, i: 1.5 })).toString("base64url"),
      Buffer.from(JSON.stringify({ k: "f", t: 1, i: 1, n: "x" })).toString("base64url"),
      Buffer.from(JSON.stringify({ k: "f", t: 1, i: 1, hold: 9e9 })).toString("base64url"),
      Buffer.from(JSON.stringify([1, 2])).toString("base64url"),
      "not a token",
    ];
    for (const nextToken of bad) {
      await assert.rejects(call({ nextToken }), (err) => err instanceof AppRunnerError && err.awsType === "InvalidParameterException", nextToken);
    }
    // Scan tokens without a newest timestamp are the ones made before follow chains existed.
    assert.equal(encodeFilterToken({ kind: "scan", after: { t: 5, i: 7 } }), Buffer.from('{"t":5,"i":7}').toString("base64url"));
  });
});
