import { generateKeyPairSync } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { PRIVATE_DIR_MODE, readIfExists, writePrivateFileAtomically } from "../util/private-files.js";
import { readOrCreateSecretFile } from "../util/secret-file.js";

/** What account.json keeps: the account URL is only valid at the directory that issued it. */
export interface AccountRecord {
  directoryUrl: string;
  accountUrl: string;
}

/**
 * The account key (EC P-256, PKCS#8 PEM), made once: every later order, renewal and restart signs
 * with the same key, so the CA sees one account and its rate limits and authorizations carry over.
 */
export function readOrCreateAccountKey(accountDir: string): string {
  mkdirSync(accountDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const make = (): string => generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return readOrCreateSecretFile(join(accountDir, "account.key"), make).toString("utf8");
}

/**
 * The account URL to reuse at `directoryUrl`, from account.json's contents (undefined: none kept,
 * or it belongs to another directory, where it means nothing: that CA gets a new registration).
 * A file that is not ours is refused rather than overwritten: it may be a key the user needs.
 */
export function accountUrlFor(contents: string | undefined, directoryUrl: string): string | undefined {
  if (contents === undefined) return undefined;
  let record: unknown;
  try {
    record = JSON.parse(contents);
  } catch (err) {
    throw new AppRunnerError("CertificateIssuanceFailed", `The ACME account file account.json is not JSON: ${(err as Error).message}`);
  }
  const r = record as Partial<AccountRecord> | null;
  if (typeof r !== "object" || r === null || typeof r.directoryUrl !== "string" || typeof r.accountUrl !== "string") {
    throw new AppRunnerError("CertificateIssuanceFailed", "The ACME account file account.json has no directoryUrl and accountUrl.");
  }
  return r.directoryUrl === directoryUrl ? r.accountUrl : undefined;
}

export function readAccountUrl(accountDir: string, directoryUrl: string): string | undefined {
  return accountUrlFor(readIfExists(join(accountDir, "account.json")), directoryUrl);
}

/** Written aside and renamed into place (0600), so a crash never leaves half a file. */
export function writeAccountRecord(accountDir: string, record: AccountRecord): void {
  writePrivateFileAtomically(join(accountDir, "account.json"), `${JSON.stringify(record, null, 2)}\n`);
}
