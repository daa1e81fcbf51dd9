import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Store } from "./store.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import type { CredentialLookup, Principal } from "../iam/sigv4/verify.js";

const KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

const pick = (r: Random, alphabet: string, n: number): string =>
  Array.from(r.bytes(n), (b) => alphabet[b % alphabet.length]).join("");

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

/** A new long-term key pair (AKIA… and 40 characters of secret), as the root key and IAM users' keys are made. */
export function newAccessKey(random: Random): AccessKey {
  return { accessKeyId: `AKIA${pick(random, KEY_ALPHABET, 16)}`, secretAccessKey: pick(random, SECRET_ALPHABET, 40) };
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

export function storeCredentialLookup(store: Store): CredentialLookup {
  return {
    find(accessKeyId) {
      const k = store.accessKeys.get(accessKeyId);
      return k ? { secretAccessKey: k.secretAccessKey, principal: k.principal } : undefined;
    },
  };
}
