import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { customDomainForWire, type CustomDomainDoc } from "./custom-domains.js";

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
