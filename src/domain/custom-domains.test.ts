import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { certificateNames, challengeTarget, customDomainForWire, validationNameOf, validationRecords, type CustomDomainDoc } from "./custom-domains.js";

// sha256 -> RFC 4648 base32 (lower case), first 20 characters, as computed by an independent implementation (Python base64.b32encode).
const FIXED_LABEL = "vpmzj3hth7c5d6lo5nl7";

describe("custom domain statuses on the wire", () => {
  it("sends every status in App Runner's lower case, whichever spelling was stored", () => {
    const cases: [string | undefined, string | undefined][] = [
      ["pending_certificate_dns_validation", "pending_certificate_dns_validation"],
      ["PENDING_CERTIFICATE_DNS_VALIDATION", "pending_certificate_dns_validation"],
      ["CREATING", "creating"],
      ["CREATE_FAILED", "create_failed"],
      ["BINDING_CERTIFICATE", "binding_certificate"],
      ["ACTIVE", "active"],
      ["DELETING", "deleting"],
      ["DELETE_FAILED", "delete_failed"],
      [undefined, undefined],
    ];
    for (const [stored, sent] of cases) {
      const doc = { DomainName: "example.com", EnableWWWSubdomain: true, Status: stored } as CustomDomainDoc;
      assert.equal(customDomainForWire(doc).Status, sent, String(stored));
    }
  });

  it("leaves the certificate records' upper-case statuses and an already lower-case document alone", () => {
    const doc: CustomDomainDoc = {
      DomainName: "example.com",
      EnableWWWSubdomain: false,
      Status: "pending_certificate_dns_validation",
      CertificateValidationRecords: [{ Name: "_a.example.com.", Type: "CNAME", Value: "_b.acm.", Status: "PENDING_VALIDATION" }],
    };
    assert.equal(customDomainForWire(doc), doc);
  });
});

describe("validation records of custom domains", () => {
  it("points each validation name at a stable label in the challenge zone", () => {
    const t = challengeTarget("acme.us-east-1.openrunner.localhost", "_acme-challenge.example.com");
    assert.match(t, /^[a-z2-7]{20}\.acme\.us-east-1\.openrunner\.localhost$/);
    // Case, a trailing dot and a re-association change nothing: the user's record is created once.
    assert.equal(challengeTarget("ACME.us-east-1.openrunner.localhost.", "_ACME-challenge.Example.com."), t);
    assert.notEqual(challengeTarget("acme.us-east-1.openrunner.localhost", "_acme-challenge.www.example.com"), t);
    // A fixed value: changing the derivation would break every CNAME users have created.
    assert.equal(challengeTarget("z.test", "_acme-challenge.example.com").split(".")[0], FIXED_LABEL);
  });

  it("lists one CNAME per certificate name, a wildcard's on its base, sharing the domain's target", () => {
    const cases: [string, boolean, string[]][] = [
      ["example.com", true, ["example.com", "www.example.com"]],
      ["api.example.com", false, ["api.example.com"]],
      ["*.example.org", true, ["*.example.org"]],
      ["Example.NET.", false, ["example.net"]],
    ];
    for (const [domain, www, names] of cases) assert.deepEqual(certificateNames(domain, www), names, domain);
    const [wild] = validationRecords("z.test", ["*.example.org"]);
    const [plain] = validationRecords("z.test", ["example.org"]);
    assert.deepEqual(wild, plain);
    assert.deepEqual(wild, {
      Name: "_acme-challenge.example.org.",
      Type: "CNAME",
      Value: `${challengeTarget("z.test", "_acme-challenge.example.org")}.`,
      Status: "PENDING_VALIDATION",
    });
    assert.equal(validationNameOf("*.example.org"), "_acme-challenge.example.org");
  });
});
