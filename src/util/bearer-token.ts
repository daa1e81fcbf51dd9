/*
 * Shared-secret bearer tokens of OpenRunner's own HTTP routes (registry push notifications,
 * the edge routers' data-plane route): made once into a 0600 file of the data directory, and
 * checked in constant time.
 */
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Random } from "./random.js";
import { readOrCreateSecretFile } from "./secret-file.js";

/** The token kept in `file`, made (24 random bytes, hex) the first time. */
export function readOrCreateBearerToken(file: string, random: Random): string {
  return readOrCreateSecretFile(file, () => `${random.bytes(24).toString("hex")}\n`)
    .toString("utf8")
    .trim();
}

/** Whether the request carries `Authorization: Bearer <token>`, compared in constant time. */
export function hasBearerToken(req: IncomingMessage, token: string): boolean {
  const expected = Buffer.from(`Bearer ${token}`);
  const given = Buffer.from(req.headers.authorization ?? "");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
