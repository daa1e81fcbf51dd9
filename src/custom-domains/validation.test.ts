import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DnsRecordChecker, RecordCheck } from "../dns/types.js";
import { challengeTarget } from "../domain/custom-domains.js";
import { checkName, type ValidationSetup } from "./validation.js";

const ZONE = "acme.example.net";
const missing = (message: string): RecordCheck => ({ ok: false, problem: "missing", message, found: [] });

function setup(cname: (name: string, target: string) => RecordCheck, pointsAt: RecordCheck = missing("shop.example.com has no A record")): ValidationSetup {
  const checker: DnsRecordChecker = {
    checkCname: (name, target) => Promise.resolve(cname(name, target)),
    checkPointsAt: () => Promise.resolve(pointsAt),
  };
  return { checker, zone: ZONE, dataPlane: { cnameTargets: ["abc.us-east-1.openrunner.localhost"], addresses: ["127.0.0.1"] } };
}

describe("checkName: what a user is told about one certificate name", () => {
  const target = challengeTarget(ZONE, "_acme-challenge.shop.example.com");
  const cases: { name: string; setup: ValidationSetup; challenge?: string; result: RegExp }[] = [
    {
      name: "the CNAME into the zone validates by DNS-01",
      setup: setup((_n, t) => ({ ok: true, found: [t] })),
      challenge: "dns-01",
      result: /validated by DNS-01/,
    },
    {
      name: "pointing at the data plane validates by HTTP-01",
      setup: setup(() => missing("x"), { ok: true, found: ["127.0.0.1"] }),
      challenge: "http-01",
      result: /points at the data plane \(127\.0\.0\.1\): validated by HTTP-01/,
    },
    {
      // The real checker already says which record to create: the advice does not repeat it.
      name: "the record to create is named once when the checker named it",
      setup: setup((n, t) => missing(`${n} has no CNAME record. Create it: ${n} CNAME ${t}`)),
      result: new RegExp(`^_acme-challenge\\.shop\\.example\\.com has no CNAME record\\. Create it: _acme-challenge\\.shop\\.example\\.com CNAME ${target.replace(/\./g, "\\.")} \\(or point shop\\.example\\.com at the data plane [^;]*\\)\\.$`),
    },
    {
      name: "a checker's words without the record get the record added",
      setup: setup((n) => missing(`${n} has no CNAME record`)),
      result: new RegExp(`has no CNAME record; create _acme-challenge\\.shop\\.example\\.com CNAME ${target.replace(/\./g, "\\.")} \\(or point`),
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const finding = await checkName(c.setup, "shop.example.com");
      assert.equal(finding.challenge, c.challenge);
      assert.match(finding.result, c.result);
    });
  }
});
