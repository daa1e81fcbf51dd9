import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { completeHandshake, type ConnectionDoc, type ConnectionInternal } from "../../domain/connection-handshake.js";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import { SecretBox } from "../../iam/secret-box.js";
import { EngineFixture } from "../../../test/support/engine-fixture.js";
import { connectionToken, sourceAuth } from "./connection-token.js";

describe("connectionToken", () => {
  let fx: EngineFixture;
  let n = 0;
  const connection = (status = "PENDING_HANDSHAKE"): string => {
    n++;
    const arn = `arn:aws:apprunner:us-east-1:123456789012:connection/gh-${n}/${"c".repeat(31)}${n}`;
    fx.store.resources.insert<ConnectionDoc, ConnectionInternal>({
      arn,
      kind: "connection",
      name: `gh-${n}`,
      status,
      doc: { ConnectionName: `gh-${n}`, ConnectionArn: arn, ProviderType: "GITHUB", Status: status as ConnectionDoc["Status"] },
      internal: {},
      createdAt: fx.clock.now(),
    });
    return arn;
  };
  const code = (fn: () => unknown): AppRunnerError => {
    try {
      fn();
    } catch (err) {
      assert.ok(err instanceof AppRunnerError);
      return err;
    }
    assert.fail("expected an error");
  };

  beforeEach(() => {
    fx = new EngineFixture();
  });
  afterEach(() => fx.close());

  it("opens the token of an AVAILABLE connection, sealed as the CLI seals it", () => {
    const arn = connection();
    completeHandshake({ store: fx.store, clock: fx.clock }, SecretBox.forDataDir(fx.dir), arn, "  ghp_secret_value \n");
    assert.equal(connectionToken(fx.store, fx.dir, arn), "ghp_secret_value");
    assert.deepEqual(sourceAuth(fx.store, fx.dir, { AuthenticationConfiguration: { ConnectionArn: arn } }), { token: "ghp_secret_value" });
    assert.equal(sourceAuth(fx.store, fx.dir, { AuthenticationConfiguration: {} }), undefined);
    assert.equal(sourceAuth(fx.store, fx.dir, undefined), undefined);
  });

  it("explains a pending, missing or unreadable connection, without the token", () => {
    const pending = connection();
    const e1 = code(() => connectionToken(fx.store, fx.dir, pending));
    assert.equal(e1.code, "InvalidRequest");
    assert.match(e1.message, /^Connection gh-\d+ is not AVAILABLE \(status PENDING_HANDSHAKE\): complete its handshake first$/);

    const e2 = code(() => connectionToken(fx.store, fx.dir, "arn:aws:apprunner:us-east-1:123456789012:connection/gone/abc"));
    assert.equal(e2.code, "InvalidRequest");
    assert.match(e2.message, /connection\/gone\/abc does not exist/);

    const arn = connection();
    completeHandshake({ store: fx.store, clock: fx.clock }, SecretBox.forDataDir(fx.dir), arn, "ghp_other_secret");
    rmSync(join(fx.dir, "secret.key"));
    const e3 = code(() => connectionToken(fx.store, fx.dir, arn));
    assert.match(e3.message, /cannot be opened/);
    assert.ok(!e3.message.includes("ghp_other_secret"));
  });
});
