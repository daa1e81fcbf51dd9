import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { certificateFile, renderCrtList, type CheckedPem } from "./custom-domains.js";
import { readIfExists, writePrivateFileAtomically as write } from "../util/private-files.js";

/** What the store needs of the router; called only from its serial slot. */
export interface CertificateStoreDeps {
  certsDir: string;
  crtList: string;
  /** The router's own certificate (the crt-list's first line, its default). */
  tlsPem: string;
  /** One runtime API command; throws unless the answer matches `ok`. */
  cmd: (text: string, ok: RegExp, payload?: string) => Promise<string>;
  /** One runtime API command, its answer as is. */
  ask: (text: string) => Promise<string>;
  alive: () => Promise<boolean>;
  logger: (message: string, fields?: Record<string, unknown>) => void;
}

const SUCCESS = /Success!/;
const TRANSACTION = /^Transaction (created|updated) for certificate /;

/**
 * The custom certificates behind the https bind's crt-list: files in certs/ (0600) and the
 * crt-list on disk always match what the worker serves, so a reload or a restart of HAProxy
 * serves the same; the worker itself is changed over the runtime API (no reload, no dropped
 * connection: `set ssl cert` + `commit ssl cert` swaps a certificate under open connections).
 */
export class CertificateStore {
  constructor(private readonly d: CertificateStoreDeps) {}

  /** Rewrites the crt-list from certs/ (before HAProxy starts or reloads). */
  writeCrtList(): void {
    mkdirSync(this.d.certsDir, { recursive: true, mode: 0o700 });
    const files = readdirSync(this.d.certsDir)
      .filter((f) => f.endsWith(".pem"))
      .map((f) => join(this.d.certsDir, f));
    write(this.d.crtList, renderCrtList(this.d.tlsPem, files));
  }

  /** Files first, then the worker; if the worker refuses while alive, the files are put back. */
  async put(id: string, cert: CheckedPem): Promise<void> {
    const file = certificateFile(this.d.certsDir, id);
    const previous = readIfExists(file);
    mkdirSync(this.d.certsDir, { recursive: true, mode: 0o700 });
    write(file, cert.pem);
    this.writeCrtList();
    try {
      if (await this.loaded(file)) {
        await this.swap(file, cert.pem);
      } else {
        await this.d.cmd(`new ssl cert ${file}`, /^New empty certificate store /);
        await this.swap(file, cert.pem);
        await this.d.cmd(`add ssl crt-list ${this.d.crtList} ${file}`, SUCCESS);
      }
    } catch (err) {
      // A dead HAProxy is restarted from the files (which hold the new certificate); a live one refused it.
      if (!(await this.d.alive())) throw err;
      if (previous === undefined) rmSync(file, { force: true });
      else write(file, previous);
      this.writeCrtList();
      throw err;
    }
  }

  async remove(id: string): Promise<void> {
    const file = certificateFile(this.d.certsDir, id);
    rmSync(file, { force: true });
    this.writeCrtList();
    if (!(await this.loaded(file))) return;
    await this.d.cmd(`del ssl crt-list ${this.d.crtList} ${file}`, /deleted in crtlist/);
    await this.d.cmd(`del ssl cert ${file}`, /deleted!/);
  }

  /** Replaces a loaded certificate's contents; connections under way keep theirs. */
  async swap(file: string, pem: string): Promise<void> {
    try {
      await this.d.cmd(`set ssl cert ${file}`, TRANSACTION, pem);
      await this.d.cmd(`commit ssl cert ${file}`, SUCCESS);
    } catch (err) {
      const out = await this.d.ask(`abort ssl cert ${file}`).catch((e: unknown) => String(e));
      this.d.logger("router: a certificate change was refused; its transaction aborted", { file, abort: out.trim() });
      throw err;
    }
  }

  private async loaded(file: string): Promise<boolean> {
    const out = await this.d.ask("show ssl cert");
    return out.split("\n").some((l) => l.trim() === file);
  }
}
