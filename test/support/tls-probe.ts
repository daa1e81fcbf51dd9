import { connect } from "node:tls";

/** What a TLS client saw of the data plane's certificate for one name. */
export interface ServedCertificate {
  /** The chain verified against `ca` for this name (node's checks: trust, validity, name). */
  trusted: boolean;
  /** Why not, when it is not. */
  error?: string;
  subjectAltName: string;
  serialNumber: string;
  validTo: string;
  issuer: string;
}

/**
 * Opens a TLS connection to 127.0.0.1:port with `servername` as SNI, trusting only `ca`, and
 * reports the certificate the server sent. Never throws for an untrusted certificate: that is
 * an answer (`trusted: false`), as a test of which certificate is served needs both.
 */
export function servedCertificate(opts: { port: number; servername: string; ca: string; timeoutMs?: number }): Promise<ServedCertificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port: opts.port, servername: opts.servername, ca: opts.ca, rejectUnauthorized: false, timeout: opts.timeoutMs ?? 5000 });
    socket.once("secureConnect", () => {
      const cert = socket.getPeerCertificate();
      const issuer = cert.issuer as unknown as Record<string, string | string[]> | undefined;
      const result: ServedCertificate = {
        trusted: socket.authorized,
        ...(socket.authorizationError ? { error: String(socket.authorizationError) } : {}),
        subjectAltName: cert.subjectaltname ?? "",
        serialNumber: cert.serialNumber ?? "",
        validTo: cert.valid_to ?? "",
        issuer: String(issuer?.CN ?? ""),
      };
      socket.end();
      resolve(result);
    });
    socket.once("timeout", () => socket.destroy(new Error(`TLS handshake with 127.0.0.1:${opts.port} for ${opts.servername} timed out`)));
    socket.once("error", reject);
  });
}
