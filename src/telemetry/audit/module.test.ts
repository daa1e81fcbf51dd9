import { firstPhaseOf } from "../../engine/reconcilers/index.js";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { appRunnerApi } from "../../api/apprunner-api.js";
import type { RequestContext } from "../../domain/api-context.js";
import type { ApiCallRecord } from "../../protocol/service-registry.js";
import { DEFAULT_QUOTAS } from "../../domain/config.js";
import type { Principal } from "../../iam/sigv4/verify.js";
import type { ModuleDeps } from "../../modules.js";
import { Store } from "../../store/store.js";
import { ManualClock } from "../../util/clock.js";
import { SeededRandom } from "../../util/random.js";
import { auditModule } from "./module.js";

const DAY = 24 * 60 * 60 * 1000;
const ROOT: Principal = { accessKeyId: "AKIAROOT", accountId: "123456789012", arn: "arn:aws:iam::123456789012:root", type: "Root" };

describe("the audit module", () => {
  let dir: string;
  let store: Store;
  const clock = new ManualClock(Date.UTC(2026, 0, 10));
  const logs: string[] = [];
  let deps: ModuleDeps;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "audit-module-"));
    store = Store.open(join(dir, "openrunner.db"));
    deps = {
      store,
      dataDir: dir,
      config: { region: "us-east-1", accountId: "123456789012", baseDomain: "openrunner.localhost", quotas: DEFAULT_QUOTAS },
      clock,
      random: new SeededRandom(3),
      authorizer: { authorize: () => undefined, decide: () => "Allow" },
      credentials: {
        find: (id) => {
          if (id === "AKIABROKEN") throw new Error("lookup failed");
          return id === ROOT.accessKeyId ? { secretAccessKey: "secret", principal: ROOT } : undefined;
        },
      },
      logger: (m) => logs.push(m),
      admitApiCall: () => undefined,
      recordApiCall: () => undefined,
    };
  });
  after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = (operation: string | undefined, over: Partial<ApiCallRecord> = {}): ApiCallRecord => ({
    api: appRunnerApi,
    operation,
    requestId: "r",
    time: clock.now(),
    sourceIp: "127.0.0.1",
    userAgent: "test",
    accessKeyId: ROOT.accessKeyId,
    input: {},
    output: {},
    errorCode: undefined,
    errorMessage: undefined,
    ...over,
  });

  it("records attributable calls, never throws, and sees only what retention keeps", async () => {
    const audit = auditModule({ retentionDays: 2 })(deps);
    const engine = { notify: () => undefined, firstPhaseOf };
    const ctx: RequestContext = { store, clock, random: deps.random, config: deps.config, engine, principal: ROOT, requestId: "q" };
    const lookupEvents = audit.apis?.[0]?.operations.LookupEvents;
    assert.ok(lookupEvents && audit.onApiCall);
    const names = async (): Promise<string[]> =>
      ((await lookupEvents({}, ctx)) as { Events: { EventName: string }[] }).Events.map((e) => e.EventName);

    audit.onApiCall(call("ListServices"));
    audit.onApiCall(call(undefined));
    audit.onApiCall(call("Nope", { api: undefined }));
    audit.onApiCall(call("DescribeService", { accessKeyId: "AKIABROKEN" }));
    assert.match(logs.join("\n"), /could not record a call/);
    clock.advance(DAY);
    audit.onApiCall(call("PauseService"));
    assert.deepEqual(await names(), ["PauseService", "ListServices"]);
    clock.advance(DAY + 1000);
    assert.deepEqual(await names(), ["PauseService"], "older than two days: no longer shown, swept or not");
    await audit.stop?.();
    audit.onApiCall(call("ResumeService"));

    const again = auditModule({ retentionDays: 30 })(deps);
    try {
      const lookup = again.apis?.[0]?.operations.LookupEvents;
      assert.ok(lookup);
      const events = ((await lookup({}, ctx)) as { Events: { EventName: string }[] }).Events.map((e) => e.EventName);
      assert.deepEqual(events, ["PauseService", "ListServices"], "written to trail.db, nothing after stop");
    } finally {
      await again.stop?.();
    }
  });

  it("admits a call only once its parameters are worked out, refuses it otherwise, and records the refusal", async () => {
    const audit = auditModule()(deps);
    try {
      assert.ok(audit.admitApiCall && audit.onApiCall);
      const engine = { notify: () => undefined, firstPhaseOf };
      const ctx: RequestContext = { store, clock, random: deps.random, config: deps.config, engine, principal: ROOT, requestId: "q" };
      const lookup = audit.apis?.[0]?.operations.LookupEvents;
      assert.ok(lookup);
      type Recorded = { requestID: string; errorCode?: string; requestParameters: unknown };
      /** The events of this test's calls (the trail keeps the first test's too). */
      const recorded = async (name: string, requestId: string): Promise<Recorded[]> =>
        ((await lookup({ LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: name }] }, ctx)) as { Events: { CloudTrailEvent: string }[] }).Events.map(
          (e) => JSON.parse(e.CloudTrailEvent) as Recorded,
        ).filter((e) => e.requestID === requestId);

      const fine = { api: appRunnerApi, operation: "PauseService", requestId: "ok-1", input: { ServiceArn: "arn:aws:apprunner:us-east-1:123456789012:service/s/1" } };
      audit.admitApiCall(fine);
      audit.onApiCall(call("PauseService", { requestId: "ok-1", input: fine.input }));
      assert.deepEqual((await recorded("PauseService", "ok-1")).map((e) => e.requestParameters), [{ serviceArn: fine.input.ServiceArn }]);

      // Parameters that cannot be read (a stand-in for any redaction failure).
      const unreadable = new Proxy({}, { get: () => { throw new Error("unreadable"); } }) as Record<string, unknown>;
      assert.throws(() => audit.admitApiCall?.({ api: appRunnerApi, operation: "DeleteService", requestId: "bad-1", input: unreadable }), {
        code: "InternalServiceError",
        message: /not run: the audit trail could not record its parameters/,
      });
      assert.match(logs.join("\n"), /could not record a call's parameters; the call was refused/);
      audit.onApiCall(call("DeleteService", { requestId: "bad-1", input: unreadable, errorCode: "InternalServiceErrorException", errorMessage: "refused" }));
      const refused = await recorded("DeleteService", "bad-1");
      assert.deepEqual(refused.map((e) => [e.errorCode, e.requestParameters]), [["InternalServiceErrorException", null]]);

      // Names X-Amz-Target made up: neither admitted to the trail nor recorded.
      for (const name of ["NoSuchOperation", "constructor"]) {
        audit.admitApiCall({ api: appRunnerApi, operation: name, requestId: name, input: {} });
        audit.onApiCall(call(name, { requestId: name }));
        assert.deepEqual(await recorded(name, name), [], name);
      }
    } finally {
      await audit.stop?.();
    }
  });

  it("takes the retention from OPENRUNNER_TRAIL_RETENTION_DAYS, warning on nonsense", async () => {
    const saved = process.env.OPENRUNNER_TRAIL_RETENTION_DAYS;
    process.env.OPENRUNNER_TRAIL_RETENTION_DAYS = "forever";
    try {
      const audit = auditModule()(deps);
      await audit.stop?.();
      assert.match(logs.join("\n"), /OPENRUNNER_TRAIL_RETENTION_DAYS='forever' is not a positive whole number/);
    } finally {
      if (saved === undefined) delete process.env.OPENRUNNER_TRAIL_RETENTION_DAYS;
      else process.env.OPENRUNNER_TRAIL_RETENTION_DAYS = saved;
    }
  });
});
