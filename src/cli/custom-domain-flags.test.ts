import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LETS_ENCRYPT_DIRECTORY } from "../acme/types.js";
import { customDomainSettings } from "./custom-domain-flags.js";

describe("openrunner up's custom-domain flags", () => {
  it("turns ACME on (Let's Encrypt by default) with a directory, an e-mail, a challenge zone or the data plane's addresses; the zone with --acme-dns-zone", () => {
    const cases: [Record<string, string | string[]>, unknown][] = [
      [{}, {}],
      [{ "acme-email": "ops@example.com" }, { acme: { directoryUrl: LETS_ENCRYPT_DIRECTORY, email: "ops@example.com" } }],
      [
        { "acme-directory": "https://127.0.0.1:14000/dir", "acme-eab-kid": "k", "acme-eab-hmac-key": "h", "acme-dns-zone": "Acme.Example.net.", "acme-dns-listen": "127.0.0.1:5353" },
        { acme: { directoryUrl: "https://127.0.0.1:14000/dir", externalAccountBinding: { kid: "k", hmacKey: "h" } }, challengeZone: { zone: "acme.example.net", listen: "127.0.0.1:5353" } },
      ],
      // The data plane's public address says domains reach this host: Let's Encrypt by default.
      [
        { "dns-resolver": ["127.0.0.1:8053", "::1"], "data-plane-address": ["203.0.113.7"] },
        { acme: { directoryUrl: LETS_ENCRYPT_DIRECTORY }, resolvers: ["127.0.0.1:8053", "::1"], dataPlaneAddresses: ["203.0.113.7"] },
      ],
      [{ "acme-dns-zone": "acme.example.net" }, { acme: { directoryUrl: LETS_ENCRYPT_DIRECTORY }, challengeZone: { zone: "acme.example.net", listen: "0.0.0.0:53" } }],
      // Resolvers alone do not: a loopback-only start never talks to a CA.
      [{ "dns-resolver": ["127.0.0.1:8053"] }, { resolvers: ["127.0.0.1:8053"] }],
    ];
    for (const [values, settings] of cases) assert.deepEqual(customDomainSettings(values), settings, JSON.stringify(values));
  });

  it("refuses half an EAB pair, a listen address without a port and a resolver that is not an address", () => {
    const bad: Record<string, string | string[]>[] = [{ "acme-eab-kid": "k" }, { "acme-dns-listen": "0.0.0.0" }, { "dns-resolver": ["dns.example.com"] }];
    for (const values of bad) assert.throws(() => customDomainSettings(values), Error, JSON.stringify(values));
  });
});
