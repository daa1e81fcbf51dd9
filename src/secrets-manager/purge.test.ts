import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SecretStore } from "../store/secrets/secret-store.js";
import { Store } from "../store/store.js";
import { ManualClock } from "../util/clock.js";
import { DAY_MS } from "./deletion.js";
import { secretArn } from "./names.js";
import { purgeDeletedSecrets } from "./purge.js";

describe("the purge of secrets past their recovery window", () => {
  it("removes a secret (and its tags) at its deletion date, not before; a restored or live one stays", () => {
    const store = Store.open(":memory:");
    try {
      const clock = new ManualClock(Date.UTC(2026, 11, 1));
      const secrets = new SecretStore(store.db, "us-east-1");
      const logged: string[] = [];
      const deps = { secrets, tags: store.tags, tx: <T>(fn: () => T): T => store.tx(fn), clock, logger: (m: string) => void logged.push(m) };
      const arns = ["doomed", "restored", "live"].map((name) => {
        const arn = secretArn("us-east-1", "123456789012", name, "Ab12Cd");
        secrets.insert({ arn, name, description: undefined, kmsKeyId: undefined, createdAt: clock.now() });
        store.tags.put(arn, [{ Key: "k", Value: name }]);
        return arn;
      });
      const [doomed = "", restored = ""] = arns;
      secrets.setDeletion(doomed, clock.now(), clock.now() + 7 * DAY_MS, clock.now());
      secrets.setDeletion(restored, clock.now(), clock.now() + 7 * DAY_MS, clock.now());
      secrets.setDeletion(restored, undefined, undefined, clock.now());
      clock.advance(7 * DAY_MS - 1);
      assert.equal(purgeDeletedSecrets(deps), 0);
      clock.advance(1);
      assert.equal(purgeDeletedSecrets(deps), 1);
      assert.deepEqual(
        secrets.list().map((s) => s.name),
        ["live", "restored"],
      );
      assert.equal(store.tags.count(doomed), 0);
      assert.equal(logged.length, 1);
    } finally {
      store.close();
    }
  });
});
