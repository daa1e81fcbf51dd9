import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EXPIRED_PASSWORD_MESSAGE, HmacRegistryPasswords, INVALID_PASSWORD_MESSAGE, PASSWORD_LIFETIME_MS } from "./passwords.js";

describe("HmacRegistryPasswords", () => {
  const passwords = new HmacRegistryPasswords(Buffer.alloc(32, 7));
  const principal = { accountId: "123456789012", accessKeyId: "AKIAEXAMPLE" };
  const issuedAt = new Date(Date.UTC(2026, 0, 1));
  const { password, expiresAt } = passwords.issue(principal, issuedAt);
  const at = (ms: number): Date => new Date(issuedAt.getTime() + ms);
  const tampered = (p: string): string => `${p.slice(0, -2)}${p.endsWith("AA") ? "BB" : "AA"}`;
  const otherBody = Buffer.from(JSON.stringify({ a: "999999999999", k: "X", e: issuedAt.getTime() + PASSWORD_LIFETIME_MS })).toString("base64url");

  it("expires 12 hours after issue", () => assert.equal(expiresAt.getTime() - issuedAt.getTime(), 12 * 3600 * 1000));

  const cases: { name: string; password: string; now: Date; want: ReturnType<HmacRegistryPasswords["verify"]> }[] = [
    { name: "valid at once", password, now: issuedAt, want: { ok: true, principal, expiresAt } },
    { name: "valid a second before expiry", password, now: at(PASSWORD_LIFETIME_MS - 1000), want: { ok: true, principal, expiresAt } },
    { name: "expired at 12 h", password, now: at(PASSWORD_LIFETIME_MS), want: { ok: false, message: EXPIRED_PASSWORD_MESSAGE } },
    { name: "a changed signature", password: tampered(password), now: issuedAt, want: { ok: false, message: INVALID_PASSWORD_MESSAGE } },
    { name: "another principal under the old signature", password: `${otherBody}${password.slice(password.indexOf("."))}`, now: issuedAt, want: { ok: false, message: INVALID_PASSWORD_MESSAGE } },
    { name: "issued with another key", password: new HmacRegistryPasswords(Buffer.alloc(32, 8)).issue(principal, issuedAt).password, now: issuedAt, want: { ok: false, message: INVALID_PASSWORD_MESSAGE } },
    { name: "no dot", password: "abc", now: issuedAt, want: { ok: false, message: INVALID_PASSWORD_MESSAGE } },
    { name: "empty", password: "", now: issuedAt, want: { ok: false, message: INVALID_PASSWORD_MESSAGE } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(passwords.verify(c.password, c.now), c.want));
});
