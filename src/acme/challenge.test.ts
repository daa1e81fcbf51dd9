import assert from "node:assert/strict";
import { test } from "node:test";
import { chooseChallenge } from "./challenge.js";
import type { ChallengeType } from "./types.js";

const offer = (value: string, types: string[], wildcard?: boolean) => ({
  identifier: { value },
  ...(wildcard !== undefined ? { wildcard } : {}),
  challenges: types.map((type) => ({ type, token: `${type}-token` })),
});

test("chooseChallenge: a wildcard always takes dns-01, other names what the caller chose, refused when the CA does not offer it", () => {
  const httpFor = (name: string): ChallengeType => (name === "dns.example.com" ? "dns-01" : "http-01");
  const all = ["http-01", "dns-01", "tls-alpn-01"];
  const rows = [
    { authz: offer("example.com", all), want: { type: "http-01", name: "example.com" } },
    { authz: offer("dns.example.com", all), want: { type: "dns-01", name: "dns.example.com" } },
    { authz: offer("example.com", ["dns-01"], true), want: { type: "dns-01", name: "*.example.com" } },
    { authz: offer("example.com", all, false), want: { type: "http-01", name: "example.com" } },
    { authz: offer("example.com", ["dns-01", "tls-alpn-01"]), reason: "The CA offers no http-01 challenge for example.com (it offers dns-01, tls-alpn-01)." },
    { authz: offer("example.com", [], true), reason: "The CA offers no dns-01 challenge for *.example.com (it offers none)." },
  ];
  for (const r of rows) {
    const got = chooseChallenge(r.authz, httpFor);
    if (r.want) {
      assert.ok(got.ok, JSON.stringify(r.authz));
      assert.deepEqual({ type: got.type, name: got.name }, r.want);
      assert.equal(got.challenge.token, `${r.want.type}-token`);
    } else {
      assert.deepEqual(got, { ok: false, reason: r.reason });
    }
  }
});

test("chooseChallenge asks the caller with the order's name: the wildcard's, never its base", () => {
  const asked: string[] = [];
  chooseChallenge(offer("example.com", ["dns-01"], true), (n) => (asked.push(n), "dns-01"));
  chooseChallenge(offer("www.example.com", ["http-01"]), (n) => (asked.push(n), "http-01"));
  assert.deepEqual(asked, ["www.example.com"], "a wildcard is dns-01 without asking");
});
