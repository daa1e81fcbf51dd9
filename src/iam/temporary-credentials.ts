import { createHash } from "node:crypto";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import { newAccessKeyId, newSecretAccessKey } from "./key-material.js";
import type { Principal } from "./principal.js";
import type { TemporaryCredentials, TemporarySessionWriter } from "./sessions.js";

/** AWS's session tokens are a few hundred characters of base64; 256 random bytes make 344. */
const TOKEN_BYTES = 256;

/** The SHA-256 a session token is kept and compared as. */
export const sessionTokenSha256 = (token: string): string => createHash("sha256").update(token, "utf8").digest("hex");

export interface IssueInput {
  sessions: TemporarySessionWriter;
  clock: Clock;
  random: Random;
  durationSeconds: number;
  /** Who the credentials act as, given their key id and expiry (the key id is part of a Principal). */
  principalOf: (accessKeyId: string, expiresAt: number) => Principal;
}

/**
 * New temporary credentials: an ASIA… key id (20 characters, like AWS's), a 40-character
 * secret and a long random session token, stored (secret sealed, token hashed) before they are
 * handed out once. Nothing keeps the token itself.
 */
export function issueTemporaryCredentials(input: IssueInput): { credentials: TemporaryCredentials; principal: Principal } {
  const now = input.clock.now();
  const expiresAt = now + input.durationSeconds * 1000;
  const accessKeyId = newAccessKeyId("ASIA", input.random);
  const secretAccessKey = newSecretAccessKey(input.random);
  const sessionToken = input.random.bytes(TOKEN_BYTES).toString("base64");
  const principal = input.principalOf(accessKeyId, expiresAt);
  input.sessions.insert({ accessKeyId, secretAccessKey, tokenSha256: sessionTokenSha256(sessionToken), principal, createdAt: now, expiresAt });
  return { credentials: { accessKeyId, secretAccessKey, sessionToken, expiration: expiresAt }, principal };
}
