import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertRefused, signed } from "../../test/support/sigv4-fixture.js";
import type { Principal } from "../iam/principal.js";
import type { TemporaryCredentials } from "../iam/sessions.js";
import { verifySigV4 } from "../iam/sigv4/verify.js";
import { issueTemporaryCredentials } from "../iam/temporary-credentials.js";
import { ManualClock } from "../util/clock.js";
import { SeededRandom } from "../util/random.js";
import { storeCredentialLookup } from "./root-credentials.js";
import { Store } from "./store.js";

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const USER: Principal = { accessKeyId: "AKIAUSER", accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/alice", type: "IAMUser", userName: "alice" };

/** 15-minute credentials of USER, issued at the clock's time. */
const issue = (store: Store, clock: ManualClock, seed: number): TemporaryCredentials =>
  issueTemporaryCredentials({
    sessions: store.sessions,
    clock,
    random: new SeededRandom(seed),
    durationSeconds: 900,
    principalOf: (accessKeyId, expiresAt) => ({ ...USER, accessKeyId, issuedAt: NOW, expiresAt }),
  }).credentials;

describe("temporary credentials in the store", () => {
  it("keep the secret sealed and only the token's hash; the lookup finds them with their session", () => {
    const store = Store.open(":memory:");
    try {
      const clock = new ManualClock(NOW);
      const credentials = issue(store, clock, 11);
      const row = store.db.prepare(`SELECT * FROM sts_sessions`).get() as Record<string, string>;
      const raw = JSON.stringify(row);
      assert.ok(!raw.includes(credentials.secretAccessKey), "the secret is sealed");
      assert.ok(!raw.includes(credentials.sessionToken), "the token is not kept");
      const found = storeCredentialLookup(store).find(credentials.accessKeyId);
      assert.ok(found);
      assert.equal(found.secretAccessKey, credentials.secretAccessKey);
      assert.equal(found.principal.arn, USER.arn);
      assert.equal(found.session?.expiresAt, NOW + 900_000);
      assert.equal(found.session?.tokenSha256, row.token_sha256);
      assert.equal(storeCredentialLookup(store).find(credentials.accessKeyId)?.principal, found.principal, "one principal object per key (the trail caches by it)");
      assert.equal(storeCredentialLookup(store).find("ASIAUNKNOWNUNKNOWN00"), undefined);
    } finally {
      store.close();
    }
  });

  it("work through the lookup and the verifier until they expire, then ExpiredToken; swept after the grace, unknown", async () => {
    const store = Store.open(":memory:");
    try {
      const clock = new ManualClock(NOW);
      const credentials = issue(store, clock, 12);
      const lookup = storeCredentialLookup(store);
      const verify = async (): Promise<Principal> => {
        const req = await signed({ credentials, signingDate: new Date(clock.now()) });
        return verifySigV4(req, lookup, { signingName: "apprunner", region: "us-east-1", clock });
      };
      assert.equal((await verify()).accessKeyId, credentials.accessKeyId);
      clock.advance(899_999);
      assert.equal((await verify()).arn, USER.arn, "a millisecond before expiry");
      clock.advance(1);
      const expired = await signed({ credentials, signingDate: new Date(clock.now()) });
      assertRefused(() => verifySigV4(expired, lookup, { signingName: "apprunner", region: "us-east-1", clock }), "ExpiredToken", /^The security token included in the request is expired$/);
      assert.equal(store.sessions.deleteExpired(clock.now() - 3_600_000, 100), 0, "kept through the grace");
      clock.advance(3_600_001);
      assert.equal(store.sessions.deleteExpired(clock.now() - 3_600_000, 100), 1);
      const gone = await signed({ credentials, signingDate: new Date(clock.now()) });
      assertRefused(() => verifySigV4(gone, lookup, { signingName: "apprunner", region: "us-east-1", clock }), "UnrecognizedClient", /is invalid/);
    } finally {
      store.close();
    }
  });
});
