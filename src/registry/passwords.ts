import { createHmac, timingSafeEqual } from "node:crypto";
import type { RegistryPasswords, RegistryPrincipal } from "./types.js";

/** GetAuthorizationToken's passwords last 12 hours, as ECR's do. */
export const PASSWORD_LIFETIME_MS = 12 * 3600 * 1000;

/** Why a password was refused, in ECR's words (what `docker login` prints after "denied:"). */
export const EXPIRED_PASSWORD_MESSAGE = "Your authorization token has expired. Reauthenticate and try again.";
export const INVALID_PASSWORD_MESSAGE = "Your authorization token is invalid.";

export type PasswordCheck = { ok: true; principal: RegistryPrincipal; expiresAt: Date } | { ok: false; message: string };

interface Payload {
  a: string;
  k: string;
  /** Expiry, epoch milliseconds. */
  e: number;
}

/**
 * Registry passwords that carry their principal and expiry and are signed with an HMAC key
 * kept in the data directory: nothing is stored per password, any number can be issued, and
 * all of them end when the key file is replaced. `<base64url(payload)>.<base64url(hmac)>`.
 */
export class HmacRegistryPasswords implements RegistryPasswords {
  constructor(private readonly key: Buffer) {}

  issue(principal: RegistryPrincipal, now: Date): { password: string; expiresAt: Date } {
    const expiresAt = new Date(now.getTime() + PASSWORD_LIFETIME_MS);
    const payload: Payload = { a: principal.accountId, k: principal.accessKeyId, e: expiresAt.getTime() };
    const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
    return { password: `${body}.${this.mac(body).toString("base64url")}`, expiresAt };
  }

  /** Pure but for the key: whether `password` was issued here and is still valid at `now`. */
  verify(password: string, now: Date): PasswordCheck {
    const dot = password.indexOf(".");
    if (dot <= 0) return { ok: false, message: INVALID_PASSWORD_MESSAGE };
    const body = password.slice(0, dot);
    const given = Buffer.from(password.slice(dot + 1), "base64url");
    const expected = this.mac(body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, message: INVALID_PASSWORD_MESSAGE };
    let payload: Payload;
    try {
      payload = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Payload;
    } catch {
      return { ok: false, message: INVALID_PASSWORD_MESSAGE };
    }
    if (typeof payload.a !== "string" || typeof payload.k !== "string" || typeof payload.e !== "number") {
      return { ok: false, message: INVALID_PASSWORD_MESSAGE };
    }
    if (now.getTime() >= payload.e) return { ok: false, message: EXPIRED_PASSWORD_MESSAGE };
    return { ok: true, principal: { accountId: payload.a, accessKeyId: payload.k }, expiresAt: new Date(payload.e) };
  }

  private mac(body: string): Buffer {
    return createHmac("sha256", this.key).update(body).digest();
  }
}
