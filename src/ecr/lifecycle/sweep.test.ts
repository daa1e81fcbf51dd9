import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeRegistry } from "../../../test/support/fake-registry.js";
import { Store } from "../../store/store.js";
import { ManualClock } from "../../util/clock.js";
import { RepositoryStore } from "../repository-store.js";
import { sweepLifecyclePolicies } from "./sweep.js";

const DAY = 24 * 60 * 60 * 1000;
const EXPIRE_UNTAGGED = JSON.stringify({
  rules: [{ rulePriority: 1, selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 }, action: { type: "expire" } }],
});

function setup(): { store: Store; repos: RepositoryStore; registry: FakeRegistry; clock: ManualClock; lines: string[] } {
  const store = Store.open(":memory:");
  const repos = new RepositoryStore(store, "us-east-1");
  const registry = new FakeRegistry();
  const clock = new ManualClock(Date.UTC(2026, 0, 31));
  for (const name of ["with-policy", "without-policy"]) {
    repos.insert({ name, createdAt: clock.now(), tagMutability: "MUTABLE", scanOnPush: false, encryption: { encryptionType: "AES256" } });
  }
  return { store, repos, registry, clock, lines: [] };
}

describe("the lifecycle sweep", () => {
  it("deletes what each repository's policy expires through the registry, and only there", async () => {
    const { store, repos, registry, clock, lines } = setup();
    try {
      const now = clock.now();
      const old = registry.push("with-policy", { pushedAt: new Date(now - 3 * DAY), content: "old" });
      registry.push("with-policy", { tag: "latest", pushedAt: new Date(now - 5 * DAY) });
      registry.push("with-policy", { pushedAt: new Date(now - DAY / 2), content: "young" });
      registry.push("without-policy", { pushedAt: new Date(now - 30 * DAY), content: "kept" });
      repos.setLifecyclePolicy("with-policy", EXPIRE_UNTAGGED);

      const result = await sweepLifecyclePolicies({ repositories: repos, registry, clock, logger: (m) => lines.push(m) });

      assert.deepEqual(result, { repositories: 1, expired: 1, failed: 0 });
      const left = await registry.listImages("with-policy");
      assert.equal(left.length, 2);
      assert.ok(!left.some((i) => i.digest === old));
      assert.equal((await registry.listImages("without-policy")).length, 1);
      assert.equal(repos.get("with-policy")?.lifecycleEvaluatedAt, now);
      assert.equal(repos.get("without-policy")?.lifecycleEvaluatedAt, undefined);
    } finally {
      store.close();
    }
  });

  it("a repository whose images cannot be listed is logged and counted; the others are still swept", async () => {
    const { store, repos, registry, clock, lines } = setup();
    try {
      repos.insert({ name: "broken", createdAt: clock.now(), tagMutability: "MUTABLE", scanOnPush: false, encryption: { encryptionType: "AES256" } });
      repos.setLifecyclePolicy("broken", EXPIRE_UNTAGGED);
      repos.setLifecyclePolicy("with-policy", EXPIRE_UNTAGGED);
      registry.push("with-policy", { pushedAt: new Date(clock.now() - 3 * DAY) });
      const failing = Object.assign(Object.create(registry) as FakeRegistry, {
        listImages: (name: string) => (name === "broken" ? Promise.reject(new Error("registry down")) : registry.listImages(name)),
      });
      const result = await sweepLifecyclePolicies({ repositories: repos, registry: failing, clock, logger: (m) => lines.push(m) });
      assert.deepEqual(result, { repositories: 2, expired: 1, failed: 1 });
      assert.ok(lines.includes("lifecycle policy evaluation failed"), lines.join("\n"));
    } finally {
      store.close();
    }
  });
});
