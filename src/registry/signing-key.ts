import { execFile } from "node:child_process";
import { chmod, mkdir, readFile, rename } from "node:fs/promises";
import { createPrivateKey, type KeyObject } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { libtrustKeyId } from "./token.js";

const run = promisify(execFile);

export interface SigningKey {
  key: KeyObject;
  /** libtrust key ID: the `kid` the registry looks the certificate up by. */
  keyId: string;
  /** The self-signed certificate the registry trusts (`auth.token.rootcertbundle`). */
  certPath: string;
}

/**
 * The key OpenRunner signs registry tokens with (EC P-256, 0600) and its self-signed
 * certificate, made once with openssl in `dir` and kept: the registry trusts it across restarts.
 */
export async function ensureSigningKey(dir: string): Promise<SigningKey> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const keyPath = join(dir, "token-signing.key");
  const certPath = join(dir, "token-signing.crt");
  if (!existsSync(keyPath) || !existsSync(certPath)) {
    const tmpKey = `${keyPath}.tmp`;
    const tmpCert = `${certPath}.tmp`;
    try {
      await run(
        "openssl",
        [
          ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"],
          ...["-keyout", tmpKey, "-out", tmpCert, "-days", "3650", "-sha256", "-subj", "/O=OpenRunner/CN=OpenRunner registry token signer"],
        ],
        { timeout: 30_000 },
      );
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? "";
      throw new AppRunnerError("HostSetupFailed", `openssl could not make the registry's token signing key: ${stderr.trim() || String(err)}`, { cause: err });
    }
    await chmod(tmpKey, 0o600);
    await rename(tmpCert, certPath);
    await rename(tmpKey, keyPath);
  }
  await chmod(keyPath, 0o600);
  const key = createPrivateKey(await readFile(keyPath));
  return { key, keyId: libtrustKeyId(key), certPath };
}
