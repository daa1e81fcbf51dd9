import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  certificateFacts,
  dnsTargetRecords,
  domainStatusLabel,
  expiryText,
  isDomainInProgress,
  validationRows,
  wireDate,
} from "../console/src/api/custom-domains.js";

const DAY = 24 * 60 * 60 * 1000;
const NOW = new Date("2026-12-06T12:00:00Z");

/** The Custom domains tab's pure decisions (console/src/api/custom-domains.ts). */
describe("console: custom domains", () => {
  it("labels App Runner's lower-case statuses (and the model's upper case) as App Runner's console does", () => {
    const table: [string | undefined, string][] = [
      ["creating", "Creating"],
      ["pending_certificate_dns_validation", "Pending certificate DNS validation"],
      ["PENDING_CERTIFICATE_DNS_VALIDATION", "Pending certificate DNS validation"],
      ["binding_certificate", "Binding certificate"],
      ["active", "Active"],
      ["create_failed", "Create failed"],
      ["deleting", "Deleting"],
      ["delete_failed", "Delete failed"],
      ["some_new_status", "Some new status"],
      [undefined, "—"],
    ];
    for (const [status, label] of table) assert.equal(domainStatusLabel(status), label, String(status));
  });

  it("polls faster only while an association moves by itself", () => {
    const moving = ["creating", "pending_certificate_dns_validation", "BINDING_CERTIFICATE", "deleting"];
    const still = ["active", "create_failed", "delete_failed", undefined];
    for (const s of moving) assert.equal(isDomainInProgress(s), true, s);
    for (const s of still) assert.equal(isDomainInProgress(s), false, String(s));
  });

  it("reads wire timestamps in epoch seconds, and milliseconds where a value can only be that", () => {
    assert.equal(wireDate(1_796_558_400)?.toISOString(), "2026-12-06T12:00:00.000Z");
    assert.equal(wireDate(1_796_558_400_000)?.toISOString(), "2026-12-06T12:00:00.000Z");
    assert.equal(wireDate(1_796_558_400.5)?.toISOString(), "2026-12-06T12:00:00.500Z");
    assert.equal(wireDate(undefined), undefined);
    assert.equal(wireDate(Number.NaN), undefined);
  });

  it("says in whole days when a certificate expires, or that it has", () => {
    const table: [number, string][] = [
      [90 * DAY, "expires in 90 days"],
      [45 * DAY + 12 * 3600_000, "expires in 45 days"],
      [DAY + 1, "expires in 1 day"],
      [DAY - 1, "expires within a day"],
      [1, "expires within a day"],
      [0, "expired today"],
      [-DAY + 1, "expired today"],
      [-DAY, "expired 1 day ago"],
      [-3 * DAY - 5, "expired 3 days ago"],
    ];
    for (const [left, text] of table) assert.equal(expiryText(new Date(NOW.getTime() + left), NOW), text, String(left));
  });

  it("lists the records pointing the domain (and www, never for a wildcard) at the DNS target", () => {
    const target = "abc123.us-east-1.openrunner.localhost";
    assert.deepEqual(dnsTargetRecords({ DomainName: "example.com", EnableWWWSubdomain: true }, target), [
      { name: "example.com", type: "CNAME", value: target },
      { name: "www.example.com", type: "CNAME", value: target },
    ]);
    assert.deepEqual(dnsTargetRecords({ DomainName: "api.example.com", EnableWWWSubdomain: false }, target), [{ name: "api.example.com", type: "CNAME", value: target }]);
    assert.deepEqual(dnsTargetRecords({ DomainName: "*.example.org", EnableWWWSubdomain: true }, target), [{ name: "*.example.org", type: "CNAME", value: target }]);
    assert.deepEqual(dnsTargetRecords({ DomainName: "example.com" }, undefined), []);
  });

  it("makes validation record rows with their status in words and the last check, absent members tolerated", () => {
    const rows = validationRows({
      DomainName: "example.com",
      CertificateValidationRecords: [
        { Name: "_acme-challenge.example.com.", Type: "CNAME", Value: "x.acme.example.", Status: "PENDING_VALIDATION", CheckResult: "_acme-challenge.example.com has no CNAME record", CheckedAt: 1_796_558_400 },
        { Name: "_acme-challenge.www.example.com.", Type: "CNAME", Value: "y.acme.example.", Status: "SUCCESS" },
        {},
      ],
    });
    assert.deepEqual(rows, [
      {
        name: "_acme-challenge.example.com.",
        type: "CNAME",
        value: "x.acme.example.",
        status: "PENDING_VALIDATION",
        statusLabel: "Pending validation",
        checkResult: "_acme-challenge.example.com has no CNAME record",
        checkedAt: new Date("2026-12-06T12:00:00Z"),
      },
      { name: "_acme-challenge.www.example.com.", type: "CNAME", value: "y.acme.example.", status: "SUCCESS", statusLabel: "Success", checkResult: undefined, checkedAt: undefined },
      { name: "", type: "", value: "", status: "", statusLabel: "—", checkResult: undefined, checkedAt: undefined },
    ]);
    assert.deepEqual(validationRows({ DomainName: "example.com" }), []);
  });

  it("shows the certificate's dates and expiry, and warns only while its renewal fails", () => {
    assert.equal(certificateFacts(undefined, NOW), undefined);
    const notAfter = (NOW.getTime() + 45 * DAY + 3600_000) / 1000;
    const ok = certificateFacts({ Issuer: "Pebble Intermediate CA", NotBefore: NOW.getTime() / 1000, NotAfter: notAfter, RenewalStatus: "OK" }, NOW);
    assert.deepEqual(ok, {
      issuer: "Pebble Intermediate CA",
      notBefore: NOW,
      notAfter: new Date(notAfter * 1000),
      expiry: "expires in 45 days",
      renewalFailing: false,
      renewalWarning: undefined,
    });
    const failing = certificateFacts({ Issuer: "R11", NotAfter: notAfter, RenewalStatus: "FAILING", RenewalMessage: "the CA refused the order: rateLimited" }, NOW);
    assert.equal(failing?.renewalFailing, true);
    assert.equal(failing?.renewalWarning, "Renewing the certificate is failing: the CA refused the order: rateLimited. OpenRunner keeps retrying; the current certificate expires in 45 days.");
    // A certificate sent without its dates or issuer still renders.
    assert.deepEqual(certificateFacts({ RenewalStatus: "FAILING" }, NOW), {
      issuer: "—",
      notBefore: undefined,
      notAfter: undefined,
      expiry: undefined,
      renewalFailing: true,
      renewalWarning: "Renewing the certificate is failing. OpenRunner keeps retrying.",
    });
  });
});
