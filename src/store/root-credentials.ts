import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Store } from "./store.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import type { CredentialLookup, Principal } from "../iam/sigv4/verify.js";
import { newAccessKeyId, newSecretAccessKey } from "../iam/key-material.js";

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

/** A new long-term key pair (AKIA… and 40 characters of secret), as the root key and IAM users' keys are made. */
export function newAccessKey(random: Random): AccessKey {
  return { accessKeyId: newAccessKeyId("AKIA", random), secretAccessKey: newSecretAccessKey(random) };
}

/** The account's root key, made on first start (AKIA… like AWS's long-term keys). */
export function ensureRootAccessKey(store: Store, accountId: string, clock: Clock, random: Random): AccessKey {
  const existing = store.accessKeys.first();
  if (existing) return existing;
  const key = newAccessKey(random);
  const principal: Principal = { accessKeyId: key.accessKeyId, accountId, arn: `arn:aws:iam::${accountId}:root`, type: "Root" };
  store.accessKeys.insert({ ...key, principal, createdAt: clock.now() });
  return key;
}

/** `<data-dir>/credentials` and `<data-dir>/config` in the AWS CLI's own formats, profile openrunner. */
export function writeAwsFiles(dataDir: string, key: AccessKey, region: string, endpoint: string): { credentials: string; config: string } {
  const credentials = join(dataDir, "credentials");
  const config = join(dataDir, "config");
  writeFileSync(
    credentials,
    `[openrunner]\naws_access_key_id = ${key.accessKeyId}\naws_secret_access_key = ${key.secretAccessKey}\n`,
    { mode: 0o600 },
  );
  writeFileSync(config, `[profile openrunner]\nregion = ${region}\nendpoint_url = ${endpoint}\n`, { mode: 0o600 });
  return { credentials, config };
}

/**
 * Long-term keys (AKIA…) and temporary credentials (ASIA…, with their session: the token's
 * hash and the expiry, which the verifier checks). Expired sessions are still found until the
 * sweep deletes them, so their callers hear ExpiredToken rather than an unknown key.
 */
export function storeCredentialLookup(store: Store): CredentialLookup {
  return {
    find(accessKeyId) {
      if (accessKeyId.startsWith("ASIA")) {
        const s = store.sessions.get(accessKeyId);
        return s ? { secretAccessKey: s.secretAccessKey, principal: s.principal, session: { tokenSha256: s.tokenSha256, expiresAt: s.expiresAt } } : undefined;
      }
      const k = store.accessKeys.get(accessKeyId);
      return k ? { secretAccessKey: k.secretAccessKey, principal: k.principal } : undefined;
    },
  };
}
