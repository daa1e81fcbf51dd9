import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { RequestContext } from "../../../domain/api-context.js";
import { DEFAULT_QUOTAS } from "../../../domain/config.js";
import { AppRunnerError } from "../../../errors/app-runner-error.js";
import { ManualClock } from "../../../util/clock.js";
import { LogStore } from "../store/log-store.js";
import { logsApi } from "./logs-api.js";

const clock = new ManualClock(Date.UTC(2026, 2, 1));
const ctx = {
  config: { region: "eu-west-1", accountId: "111122223333", baseDomain: "x", quotas: DEFAULT_QUOTAS },
  clock,
  principal: { accessKeyId: "AKIAEXAMPLE", accountId: "111122223333", arn: "arn:aws:iam::111122223333:root", type: "Root" },
} as unknown as RequestContext;

interface FilterOut {
  events: { message: string }[];
  nextToken?: string;
  searchedLogStreams: { logStreamName: string; searchedCompletely: boolean }[];
}

describe("Logs API handlers", () => {
  const dir = mkdtempSync(join(tmpdir(), "openrunner-logs-api-"));
  const store = LogStore.open(join(dir, "logs.db"), clock);
  // A scan budget of 3 events: a call examines at most 3 before handing back a token.
  const api = logsApi(store, { limits: { scanBudget: 3, maxResponseBytes: 1_000_000 } });
  const call = async (op: string, input: Record<string, unknown>): Promise<unknown> => {
    const h = api.operations[op];
    assert.ok(h, op);
    return h(input, ctx);
  };
  const failure = async (op: string, input: Record<string, unknown>): Promise<{ type: string; message: string }> => {
    try {
      await call(op, input);
    } catch (err) {
      assert.ok(err instanceof AppRunnerError, String(err));
      return { type: err.awsType, message: err.message };
    }
    return { type: "none", message: "" };
  };

  before(() => {
    store.append("/g", "s1", [1, 2, 3, 4, 5, 6, 7].map((t) => ({ timestamp: t, message: t === 7 ? "needle" : `hay ${t}` })));
  });
  after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("FilterLogEvents stops at its scan budget with a token, even with no match yet", async () => {
    const pagesOf = async (filterPattern: string): Promise<FilterOut[]> => {
      const out: FilterOut[] = [];
      let next: string | undefined;
      do {
        const page = (await call("FilterLogEvents", { logGroupName: "/g", filterPattern, nextToken: next })) as FilterOut;
        out.push(page);
        next = page.nextToken;
      } while (next && out.length < 10);
      return out;
    };
    const pages = await pagesOf("{ $.x = 1 } ");
    assert.deepEqual(
      pages.map((p) => p.events.length),
      [0, 0, 0],
      "7 events, 3 per call",
    );
    assert.equal(pages[0]?.searchedLogStreams[0]?.searchedCompletely, false);
    assert.equal(pages[2]?.searchedLogStreams[0]?.searchedCompletely, true);
    // Text pre-selection happens within the window: the budget is spent all the same.
    const term = await pagesOf("needle");
    assert.deepEqual(
      term.map((p) => p.events.map((e) => e.message)),
      [[], [], ["needle"]],
    );
    // A page that fills up stops at its last event, not at the window's end.
    const limited = (await call("FilterLogEvents", { logGroupName: "/g", limit: 2 })) as FilterOut;
    assert.deepEqual(limited.events.map((e) => e.message), ["hay 1", "hay 2"]);
    const after = (await call("FilterLogEvents", { logGroupName: "/g", limit: 2, nextToken: limited.nextToken })) as FilterOut;
    assert.deepEqual(after.events.map((e) => e.message), ["hay 3", "hay 4"]);
  });

  it("reports constraint violations in Coral's words as InvalidParameterException", async () => {
    assert.deepEqual(await failure("DescribeLogGroups", { limit: 51, logGroupNamePrefix: "bad prefix" }), {
      type: "InvalidParameterException",
      message:
        "2 validation errors detected: Value 'bad prefix' at 'logGroupNamePrefix' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+; Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50",
    });
    const retention = await failure("PutRetentionPolicy", { logGroupName: "/g", retentionInDays: 2 });
    assert.equal(retention.type, "InvalidParameterException");
    assert.match(retention.message, /Value '2' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: \[1, 3, 5, 7, 14/);
    assert.deepEqual(await failure("PutLogEvents", { logGroupName: "/g", logStreamName: "s1", logEvents: [{ timestamp: 1 }] }), {
      type: "InvalidParameterException",
      message: "1 validation error detected: Value null at 'logEvents.1.member.message' failed to satisfy constraint: Member must not be null",
    });
    assert.equal((await failure("GetLogEvents", { logGroupName: "/g", logStreamName: 5 })).type, "SerializationException");
    assert.equal((await failure("GetLogEvents", { logStreamName: "s1" })).type, "InvalidParameterException");
    assert.equal((await failure("GetLogEvents", { logGroupName: "/g", logGroupIdentifier: "/g", logStreamName: "s1" })).type, "InvalidParameterException");
    assert.equal((await failure("GetLogEvents", { logGroupName: "/g", logStreamName: "s1", nextToken: "f/x" })).type, "InvalidParameterException");
  });

  it("takes this account's ARN as logGroupIdentifier, and no other", async () => {
    const arn = "arn:aws:logs:eu-west-1:111122223333:log-group:/g";
    const out = (await call("GetLogEvents", { logGroupIdentifier: arn, logStreamName: "s1", limit: 1 })) as { events: unknown[] };
    assert.equal(out.events.length, 1);
    const other = await failure("GetLogEvents", { logGroupIdentifier: arn.replace("111122223333", "999999999999"), logStreamName: "s1" });
    assert.equal(other.type, "ResourceNotFoundException");
  });
});
