import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { narrowMode, PRIVATE_DIR_MODE, readIfExists, writePrivateFileAtomically } from "../util/private-files.js";

/**
 * Each active association's certificate (leaf, chain and key in one PEM) in
 * `<dataDir>/certificates/domains/<id>.pem`, 0600, from which the data plane is set up again at
 * every start. A wildcard's id spells `*.` as `_wildcard.` (no `*` in file names or HAProxy paths).
 */
export class CertificateFiles {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, "certificates", "domains");
  }

  static idOf(domain: string): string {
    return domain.toLowerCase().replace(/^\*\./, "_wildcard.");
  }

  /** The association's domain of a file id (idOf's inverse). */
  static domainOf(id: string): string {
    return id.replace(/^_wildcard\./, "*.");
  }

  /** The data plane names a certificate by its domain, `*.` included (it spells its own files). */
  static dataPlaneId(domain: string): string {
    return domain.toLowerCase();
  }

  path(domain: string): string {
    return join(this.dir, `${CertificateFiles.idOf(domain)}.pem`);
  }

  /** Written whole or not at all (a temporary file renamed over the old one). */
  write(domain: string, pem: string): void {
    mkdirSync(this.dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    narrowMode(join(this.dir, ".."), PRIVATE_DIR_MODE);
    writePrivateFileAtomically(this.path(domain), pem);
  }

  /** The PEM, or undefined when there is no file. */
  read(domain: string): string | undefined {
    return readIfExists(this.path(domain));
  }

  remove(domain: string): void {
    rmSync(this.path(domain), { force: true });
  }

  /** The ids of the certificates on disk. */
  ids(): string[] {
    try {
      return readdirSync(this.dir)
        .filter((f) => f.endsWith(".pem"))
        .map((f) => f.slice(0, -".pem".length));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
  }
}
