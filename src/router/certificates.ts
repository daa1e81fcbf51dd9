import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { AppRunnerError } from "../errors/app-runner-error.js";

const run = promisify(execFile);

export interface CertificatePaths {
  /** The local root certificate users trust (`curl --cacert`). */
  caCert: string;
  /** 0600, never leaves routerDir. */
  caKey: string;
  /** Leaf certificate + key + CA chain in one PEM, as HAProxy's `crt` wants it. */
  tlsPem: string;
  /** The leaf certificate's names. */
  names: string[];
  /** When the leaf certificate expires. */
  notAfter: Date;
  /** True when this call (re)issued the leaf certificate. */
  issued: boolean;
}

/** A leaf with less than this left is reissued. */
export const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

async function openssl(args: string[]): Promise<void> {
  try {
    await run("openssl", args, { timeout: 30_000 });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? "";
    throw new AppRunnerError("HostSetupFailed", `openssl ${args[0] ?? ""} failed: ${stderr.trim() || String(err)}`, { cause: err });
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The leaf is usable when it is signed by our CA, covers every name and has more than 30 days left. */
function leafIsCurrent(pem: string, ca: X509Certificate, names: string[], now: number, renewBeforeMs: number): X509Certificate | undefined {
  const first = pem.match(PEM_CERT)?.[0];
  if (!first) return undefined;
  const leaf = new X509Certificate(first);
  if (!leaf.checkIssued(ca) || !leaf.verify(ca.publicKey)) return undefined;
  if (Date.parse(leaf.validTo) - now < renewBeforeMs) return undefined;
  const san = leaf.subjectAltName ?? "";
  if (!names.every((n) => san.split(", ").includes(`DNS:${n}`))) return undefined;
  return leaf;
}

/**
 * A local certificate authority (EC P-256, 10 years), created once in routerDir, and a leaf
 * certificate for `*.<region>.<baseDomain>` and `<region>.<baseDomain>` signed by it (1 year,
 * reissued when fewer than 30 days (renewBeforeMs) are left, or when the names change).
 */
export async function ensureCertificates(
  routerDir: string,
  region: string,
  baseDomain: string,
  now: number = Date.now(),
  renewBeforeMs: number = RENEW_BEFORE_MS,
): Promise<CertificatePaths> {
  const zone = `${region}.${baseDomain}`.toLowerCase();
  if (!/^[a-z0-9.-]+$/.test(zone)) throw new AppRunnerError("HostSetupFailed", `Invalid domain for certificates: ${zone}`);
  const names = [`*.${zone}`, zone];
  await mkdir(routerDir, { recursive: true, mode: 0o700 });
  const caCert = join(routerDir, "ca.crt");
  const caKey = join(routerDir, "ca.key");
  const tlsPem = join(routerDir, "tls.pem");

  let caPem = await readIfExists(caCert);
  if (!caPem || (await readIfExists(caKey)) === undefined) {
    const tmpKey = `${caKey}.tmp`;
    const tmpCert = `${caCert}.tmp`;
    await openssl([
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
      "-keyout", tmpKey, "-out", tmpCert, "-days", "3650", "-sha256",
      "-subj", `/O=OpenRunner/CN=OpenRunner Local CA ${zone}`,
      "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0",
      "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    await chmod(tmpKey, 0o600);
    await rename(tmpKey, caKey);
    await rename(tmpCert, caCert);
    caPem = await readFile(caCert, "utf8");
  }
  const ca = new X509Certificate(caPem);

  const existing = await readIfExists(tlsPem);
  const current = existing ? leafIsCurrent(existing, ca, names, now, renewBeforeMs) : undefined;
  if (current) return { caCert, caKey, tlsPem, names, notAfter: new Date(current.validTo), issued: false };

  const work = join(routerDir, "tls.work");
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { mode: 0o700 });
  try {
    const key = join(work, "leaf.key");
    const csr = join(work, "leaf.csr");
    const crt = join(work, "leaf.crt");
    const ext = join(work, "leaf.ext");
    await writeFile(
      ext,
      [
        "basicConstraints=critical,CA:FALSE",
        "keyUsage=critical,digitalSignature,keyEncipherment",
        "extendedKeyUsage=serverAuth",
        `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")}`,
        "",
      ].join("\n"),
    );
    await openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", csr, "-subj", `/CN=*.${zone}`]);
    await openssl(["x509", "-req", "-in", csr, "-CA", caCert, "-CAkey", caKey, "-set_serial", `0x${Date.now().toString(16)}`, "-days", "365", "-sha256", "-extfile", ext, "-out", crt]);
    const pem = [await readFile(crt, "utf8"), await readFile(key, "utf8"), caPem].map((s) => s.trim() + "\n").join("");
    await writeFile(`${tlsPem}.tmp`, pem, { mode: 0o600 });
    await rename(`${tlsPem}.tmp`, tlsPem);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const leaf = new X509Certificate((await readFile(tlsPem, "utf8")).match(PEM_CERT)?.[0] ?? "");
  return { caCert, caKey, tlsPem, names, notAfter: new Date(leaf.validTo), issued: true };
}
