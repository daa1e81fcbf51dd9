import type { Random } from "../util/random.js";

/*
 * Secrets Manager's ARNs: `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 chars>`.
 * The random suffix makes a secret deleted and created again under the same name a different
 * resource, so a policy granting the old one does not grant the new one.
 */

const SUFFIX_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
export const SUFFIX_LENGTH = 6;

/** Six random letters and digits, as AWS appends them. */
export function randomSuffix(random: Random): string {
  // 62 does not divide 256: drawing until below 248 (4 x 62) keeps every character equally likely.
  let out = "";
  while (out.length < SUFFIX_LENGTH) {
    for (const b of random.bytes(SUFFIX_LENGTH * 2)) {
      if (b < 248 && out.length < SUFFIX_LENGTH) out += SUFFIX_CHARS[b % 62] ?? "";
    }
  }
  return out;
}

export const secretArn = (region: string, accountId: string, name: string, suffix: string): string =>
  `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${suffix}`;

/** What an IAM request names before the secret (and so its suffix) exists: policies written as `name-??????` or `name-*` match it. */
export const unknownSuffixArn = (region: string, accountId: string, name: string): string => secretArn(region, accountId, name, "??????");

export interface ParsedSecretArn {
  region: string;
  accountId: string;
  /** Everything after `secret:`: a name with its suffix (a complete ARN) or without (a partial ARN). */
  resource: string;
}

const ARN = /^arn:aws:secretsmanager:([a-z0-9-]*):([0-9]*):secret:(.+)$/;

export function parseSecretArn(arn: string): ParsedSecretArn | undefined {
  const m = ARN.exec(arn);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return { region: m[1], accountId: m[2], resource: m[3] };
}

/** How a SecretId is looked up: by complete ARN first, else by name (a plain name, or a partial ARN's). */
export type SecretLookup = { kind: "name"; name: string } | { kind: "arn"; arn: string; name: string } | { kind: "elsewhere" };

/**
 * A SecretId as AWS reads it: a name, a complete ARN, or a partial ARN (without the suffix).
 * An ARN of another region or account names nothing here.
 */
export function secretLookupOf(secretId: string, here: { region: string; accountId: string }): SecretLookup {
  if (!secretId.startsWith("arn:")) return { kind: "name", name: secretId };
  const parsed = parseSecretArn(secretId);
  if (!parsed || parsed.region !== here.region || parsed.accountId !== here.accountId) return { kind: "elsewhere" };
  return { kind: "arn", arn: secretId, name: parsed.resource };
}
