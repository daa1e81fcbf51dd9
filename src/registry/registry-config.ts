/** What the generated `config.yml` of the supervised registry says. */
export interface RegistryConfigInput {
  /** Filesystem storage root (kept across restarts). */
  storageDir: string;
  /** The unix socket the registry listens on, in the data directory. */
  socketPath: string;
  /** HMAC secret for upload state; kept, so an upload survives a registry restart. */
  httpSecret: string;
  /** Where clients get tokens: the front door's `/token`. */
  realm: string;
  service: string;
  issuer: string;
  rootCertBundle: string;
  /** The control plane's push notification endpoint and its bearer token; none without the local runtime. */
  notifications?: { url: string; token: string };
}

/**
 * Pure: the registry's configuration. JSON is YAML, so no YAML writer is needed.
 * - `http.net: unix`: only processes that can open the data directory reach the registry;
 *   instances and builds run in their own mount and network namespaces and see neither the
 *   socket nor a port, so every client goes through the front door.
 * - `relativeurls`: upload Locations are paths, so clients come back to the front door they
 *   used, whatever its address; the realm already names the front door.
 * - No blob descriptor cache: tags and links removed under the registry (untag, repository
 *   deletion) must not be served from a cache afterwards.
 */
export function renderRegistryConfig(c: RegistryConfigInput): string {
  const config: Record<string, unknown> = {
    version: "0.1",
    log: { level: "error", formatter: "text", accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: c.storageDir }, delete: { enabled: true }, redirect: { disable: true } },
    http: { net: "unix", addr: c.socketPath, secret: c.httpSecret, relativeurls: true },
    auth: { token: { realm: c.realm, service: c.service, issuer: c.issuer, rootcertbundle: c.rootCertBundle } },
  };
  if (c.notifications) {
    config.notifications = {
      endpoints: [
        {
          name: "openrunner",
          url: c.notifications.url,
          headers: { Authorization: [`Bearer ${c.notifications.token}`] },
          timeout: "2s",
          threshold: 3,
          backoff: "1s",
          // Blob pushes are not deployments: only manifest events are worth a call.
          ignoredmediatypes: ["application/octet-stream"],
        },
      ],
    };
  }
  return `${JSON.stringify(config, null, 2)}\n`;
}
