import { readFileSync } from "node:fs";
import { Agent } from "node:https";
import acme from "acme-client";
import { detail, issuanceFailed } from "./bounded.js";

/** No ACME request may hang an order: the library's own retries (5xx, 429) stay bounded by it. */
export const REQUEST_TIMEOUT_MS = 30_000;

/** Directory origin -> the agent trusting its CA (pebble's test CA, a private CA's root). */
const agents = new Map<string, Agent>();
let installed = false;

/**
 * Makes requests to `directoryUrl`'s origin trust the PEM certificates in `caCertificatesFile`
 * (instead of the system store), and gives every ACME request a timeout.
 *
 * acme-client sends everything through one axios instance of its own (`acme.axios`) and takes no
 * agent per client, so one request interceptor on that instance picks the agent by the request's
 * origin: the trust is per directory, never process-wide (no NODE_EXTRA_CA_CERTS, no
 * https.globalAgent change), and no other HTTPS client of the process is touched. Every URL an
 * ACME server hands out (account, order, authorization, finalize, certificate) is on its own
 * origin, so they all get the same agent.
 */
export function trustDirectory(directoryUrl: string, caCertificatesFile: string | undefined): void {
  install();
  if (caCertificatesFile === undefined) return;
  let ca: string;
  try {
    ca = readFileSync(caCertificatesFile, "utf8");
  } catch (err) {
    throw issuanceFailed(`The CA certificates file ${caCertificatesFile} for ${directoryUrl} cannot be read: ${detail(err)}`, err);
  }
  agents.set(new URL(directoryUrl).origin, new Agent({ ca }));
}

function install(): void {
  if (installed) return;
  installed = true;
  acme.axios.interceptors.request.use((config) => {
    if (!config.timeout) config.timeout = REQUEST_TIMEOUT_MS;
    const url = config.url === undefined ? undefined : URL.canParse(config.url) ? new URL(config.url) : undefined;
    const agent = url === undefined ? undefined : agents.get(url.origin);
    if (agent !== undefined) config.httpsAgent = agent;
    return config;
  });
}
