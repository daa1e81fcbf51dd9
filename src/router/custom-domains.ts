import { createPrivateKey, X509Certificate } from "node:crypto";
import { join } from "node:path";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { mapTarget } from "./haproxy-config.js";
import type { ServiceRoute } from "./types.js";

/**
 * Pure decisions behind the router's custom domains (CustomDomainDataPlane): what may reach
 * HAProxy, and what its maps and crt-list contain. Everything that reaches a runtime API command
 * or a file HAProxy parses is validated here first, so a bad input is an error, never a broken
 * data plane.
 */

const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;
const CERT_ID = /^(\*\.)?[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;
const TOKEN = /^[A-Za-z0-9_-]{1,256}$/;
const KEY_AUTHORIZATION = /^[A-Za-z0-9_-]{1,256}\.[A-Za-z0-9_-]{1,256}$/;
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const PEM_KEY = /-----BEGIN ((?:EC |RSA )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/;

const invalid = (message: string) => new AppRunnerError("InvalidRequest", message);

/** A custom domain name, lowercased: `example.com` or `*.example.com`. */
export function customHost(name: string): string {
  const h = name.toLowerCase();
  const bare = h.startsWith("*.") ? h.slice(2) : h;
  if (bare.length > 253 || !HOST.test(bare)) throw invalid(`Invalid custom domain name for the router: ${JSON.stringify(name)}`);
  return h;
}

/** The file of a certificate id: ids are domain names, `*.` spelled `_wildcard.` (no glob in HAProxy's lists). */
export function certificateFile(certsDir: string, id: string): string {
  if (!CERT_ID.test(id) || id.includes("..")) throw invalid(`Invalid certificate id for the router: ${JSON.stringify(id)}`);
  return join(certsDir, `${id.replace(/^\*\./, "_wildcard.")}.pem`);
}

export interface CheckedPem {
  /** The PEM as HAProxy's CLI payload takes it: no blank line (a blank line ends the payload). */
  pem: string;
  notAfter: Date;
  names: string[];
}

/** A certificate (leaf first, then chain) and its private key, which must match the leaf. */
export function checkPem(pem: string): CheckedPem {
  const certs = pem.match(PEM_CERT) ?? [];
  const key = pem.match(PEM_KEY)?.[0];
  if (certs.length === 0 || !key) throw invalid("The certificate PEM must hold a certificate and its private key.");
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(certs[0] ?? "");
    for (const c of certs.slice(1)) new X509Certificate(c);
    if (!leaf.checkPrivateKey(createPrivateKey(key))) throw invalid("The private key does not belong to the certificate.");
  } catch (err) {
    if (err instanceof AppRunnerError) throw err;
    throw invalid(`The certificate PEM does not parse: ${err instanceof Error ? err.message : String(err)}`);
  }
  const names = (leaf.subjectAltName ?? "")
    .split(", ")
    .filter((s) => s.startsWith("DNS:"))
    .map((s) => s.slice(4));
  return { pem: [...certs, key].map((s) => s.trim()).join("\n") + "\n", notAfter: new Date(leaf.validTo), names };
}

/** HTTP-01 token and key authorization (RFC 8555 8.1/8.3: base64url token, `token.thumbprint`). */
export function checkChallenge(token: string, keyAuthorization?: string): void {
  if (!TOKEN.test(token)) throw invalid(`Invalid HTTP-01 token: ${JSON.stringify(token)}`);
  if (keyAuthorization !== undefined && !KEY_AUTHORIZATION.test(keyAuthorization)) throw invalid("Invalid HTTP-01 key authorization.");
}

export interface HostTables {
  /** hosts.map: host -> backend. */
  exact: Map<string, string>;
  /** wildcards.map: parent domain of `*.parent` -> backend. */
  wildcard: Map<string, string>;
}

/**
 * The maps for these routes and their custom domains. A service's custom hosts are routed only
 * while it has a route (same target as its ServiceUrl: its backend or the paused one). ServiceUrl
 * hosts always win over a custom name, and the first service (by id) wins a name two claim.
 */
export function hostTables(routes: Iterable<ServiceRoute>, custom: ReadonlyMap<string, readonly string[]>): HostTables {
  const exact = new Map<string, string>();
  const wildcard = new Map<string, string>();
  const list = [...routes].sort((a, b) => a.serviceId.localeCompare(b.serviceId));
  for (const r of list) {
    for (const h of custom.get(r.serviceId) ?? []) {
      const table = h.startsWith("*.") ? wildcard : exact;
      const key = h.startsWith("*.") ? h.slice(2) : h;
      if (!table.has(key)) table.set(key, mapTarget(r));
    }
  }
  for (const r of list) for (const h of r.hosts) exact.set(h.toLowerCase(), mapTarget(r));
  return { exact, wildcard };
}

/** A map file: `key value` per line, sorted so renders are stable. */
export function renderMap(entries: ReadonlyMap<string, string>): string {
  const lines = [...entries].map(([k, v]) => `${k} ${v}`).sort();
  return lines.join("\n") + (lines.length > 0 ? "\n" : "");
}

/** The crt-list: the router's own certificate first (the default for names no other covers), then the custom ones. */
export function renderCrtList(tlsPem: string, customFiles: readonly string[]): string {
  return [tlsPem, ...[...customFiles].sort()].join("\n") + "\n";
}
