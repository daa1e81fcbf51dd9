import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LETS_ENCRYPT_DIRECTORY } from "../acme/types.js";
import { customDomainSettings } from "./custom-domain-flags.js";

describe("openrunner up's custom-domain flags", () => {
  it("turns ACME on with a directory or an e-mail (Let's Encrypt by default), the zone with --acme-dns-zone", () => {
    const cases: [Record<string, string | string[]>, unknown][] = [
      [{}, {}],
      [{ "acme-email": "ops@example.com" }, { acme: { directoryUrl: LETS_ENCRYPT_DIRECTORY, email: "ops@example.com" } }],
      [
        { "acme-directory": "https://127.0.0.1:14000/dir", "acme-eab-kid": "k", "acme-eab-hmac-key": "h", "acme-dns-zone": "Acme.Example.net.", "acme-dns-listen": "127.0.0.1:5353" },
        { acme: { directoryUrl: "https://127.0.0.1:14000/dir", externalAccountBinding: { kid: "k", hmacKey: "h" } }, challengeZone: { zone: "acme.example.net", listen: "127.0.0.1:5353" } },
      ],
      [{ "dns-resolver": ["127.0.0.1:8053", "::1"], "data-plane-address": ["203.0.113.7"] }, { resolvers: ["127.0.0.1:8053", "::1"], dataPlaneAddresses: ["203.0.113.7"] }],
    ];
    for (const [values, settings] of cases) assert.deepEqual(customDomainSettings(values), settings, JSON.stringify(values));
  });

  it("refuses half an EAB pair, a listen address without a port and a resolver that is not an address", () => {
    const bad: Record<string, string | string[]>[] = [{ "acme-eab-kid": "k" }, { "acme-dns-listen": "0.0.0.0" }, { "dns-resolver": ["dns.example.com"] }];
    for (const values of bad) assert.throws(() => customDomainSettings(values), Error, JSON.stringify(values));
  });
});
