import { resolve } from "node:path";
import type { ParseArgsConfig } from "node:util";
import { LETS_ENCRYPT_DIRECTORY } from "../acme/types.js";
import type { CustomDomainSettings } from "../custom-domains/types.js";

export const CUSTOM_DOMAIN_USAGE = `Custom domains (docs/custom-domains.md): certificates come from an ACME CA (Let's Encrypt,
${LETS_ENCRYPT_DIRECTORY}, unless --acme-directory URL names another) once any of --acme-directory,
--acme-email ADDRESS, --acme-dns-zone or --data-plane-address is given, with
--acme-eab-kid KID --acme-eab-hmac-key KEY where the CA requires external account binding and
--acme-ca-certificates FILE to trust the directory's own TLS (a test CA). --acme-dns-zone ZONE (default
acme.<region>.<domain>) is the zone validation CNAMEs point into; OpenRunner answers it on --acme-dns-listen
(default 0.0.0.0:53) once the zone is given. Records are checked through --dns-resolver IP[:PORT] (repeatable;
default the system's); --data-plane-address IP (repeatable; default 127.0.0.1, where the router listens) lists
the addresses users' domains may point at for HTTP validation.`;

export const CUSTOM_DOMAIN_OPTIONS: NonNullable<ParseArgsConfig["options"]> = {
  "acme-directory": { type: "string" },
  "acme-email": { type: "string" },
  "acme-eab-kid": { type: "string" },
  "acme-eab-hmac-key": { type: "string" },
  "acme-ca-certificates": { type: "string" },
  "acme-dns-zone": { type: "string" },
  "acme-dns-listen": { type: "string", default: "0.0.0.0:53" },
  "dns-resolver": { type: "string", multiple: true, default: [] },
  "data-plane-address": { type: "string", multiple: true, default: [] },
};

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

const str = (v: Values[string]): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const list = (v: Values[string]): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/**
 * The custom-domain settings of `openrunner up`. ACME is on (Let's Encrypt unless
 * --acme-directory says otherwise) when a CA, an e-mail, a challenge zone or the data plane's
 * addresses are given: a server started on loopback with none of them never talks to a CA.
 */
export function customDomainSettings(values: Values): CustomDomainSettings {
  const directory = str(values["acme-directory"]);
  const email = str(values["acme-email"]);
  const kid = str(values["acme-eab-kid"]);
  const hmacKey = str(values["acme-eab-hmac-key"]);
  if ((kid === undefined) !== (hmacKey === undefined)) throw new Error("--acme-eab-kid and --acme-eab-hmac-key go together");
  const caFile = str(values["acme-ca-certificates"]);
  const zone = str(values["acme-dns-zone"]);
  const listen = str(values["acme-dns-listen"]) ?? "0.0.0.0:53";
  if (!/^(\[[0-9a-f:]+\]|[^:]+):\d{1,5}$/i.test(listen)) throw new Error(`--acme-dns-listen takes host:port, not "${listen}"`);
  for (const r of list(values["dns-resolver"])) {
    if (!/^(\d+\.\d+\.\d+\.\d+|\[?[0-9a-f:]+\]?)(:\d{1,5})?$/i.test(r)) throw new Error(`--dns-resolver takes an IP address with an optional :port, not "${r}"`);
  }
  const dataPlaneAddresses = list(values["data-plane-address"]);
  // Let's Encrypt by default once the operator says how domains reach this host (a challenge zone
  // or the data plane's public addresses) or names a CA: a loopback-only start never talks to one.
  const acmeOn = directory !== undefined || email !== undefined || kid !== undefined || zone !== undefined || dataPlaneAddresses.length > 0;
  return {
    ...(acmeOn
      ? {
          acme: {
            directoryUrl: directory ?? LETS_ENCRYPT_DIRECTORY,
            ...(email !== undefined ? { email } : {}),
            ...(kid !== undefined && hmacKey !== undefined ? { externalAccountBinding: { kid, hmacKey } } : {}),
            ...(caFile !== undefined ? { caCertificatesFile: resolve(caFile) } : {}),
          },
        }
      : {}),
    ...(zone !== undefined ? { challengeZone: { zone: zone.toLowerCase().replace(/\.$/, ""), listen } } : {}),
    ...(list(values["dns-resolver"]).length > 0 ? { resolvers: list(values["dns-resolver"]) } : {}),
    ...(dataPlaneAddresses.length > 0 ? { dataPlaneAddresses } : {}),
  };
}
