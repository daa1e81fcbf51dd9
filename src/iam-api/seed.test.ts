import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Store } from "../store/store.js";
import { ManualClock } from "../util/clock.js";
import { cryptoRandom } from "../util/random.js";
import { seedIam } from "./seed.js";

describe("seeding IAM at every start", () => {
  it("is idempotent: the same policies and one service-linked role, however often it runs", () => {
    const store = Store.open(":memory:");
    const deps = { store, accountId: "123456789012", clock: new ManualClock(1_000), random: cryptoRandom };
    seedIam(deps);
    const first = store.iam.policies.list().map((p) => [p.arn, p.id]);
    seedIam(deps);
    assert.deepEqual(store.iam.policies.list().map((p) => [p.arn, p.id]), first);
    assert.equal(first.length, 6);
    assert.deepEqual(store.iam.entities.list("role").map((r) => r.arn), ["arn:aws:iam::123456789012:role/aws-service-role/apprunner.amazonaws.com/AWSServiceRoleForAppRunner"]);
    store.close();
  });

  it("a service-linked role deleted later is not brought back by a restart", () => {
    const store = Store.open(":memory:");
    const deps = { store, accountId: "123456789012", clock: new ManualClock(1_000), random: cryptoRandom };
    seedIam(deps);
    const role = store.iam.entities.byName("role", "AWSServiceRoleForAppRunner")!;
    store.iam.policies.detach(role.id, store.iam.policies.attachedTo(role.id)[0]!);
    store.iam.entities.delete(role.id);
    seedIam(deps);
    assert.equal(store.iam.entities.byName("role", "AWSServiceRoleForAppRunner"), undefined);
    store.close();
  });

  it("a document this version ships differently replaces the stored one", () => {
    const store = Store.open(":memory:");
    const deps = { store, accountId: "123456789012", clock: new ManualClock(1_000), random: cryptoRandom };
    seedIam(deps);
    const arn = "arn:aws:iam::aws:policy/AdministratorAccess";
    store.iam.policies.putVersion(arn, { versionId: "v1", document: "{}", createdAt: 1 });
    seedIam(deps);
    assert.deepEqual(JSON.parse(store.iam.policies.version(arn, "v1")!.document), { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });
    store.close();
  });
});
