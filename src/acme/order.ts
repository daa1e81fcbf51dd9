import { X509Certificate, generateKeyPairSync } from "node:crypto";
import acme from "acme-client";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { bounded, detail, issuanceFailed } from "./bounded.js";
import { chooseChallenge } from "./challenge.js";
import type { CertificateRequest, IssuedCertificate, PresentedChallenge } from "./types.js";

type Client = InstanceType<typeof acme.Client>;
type Authorization = Awaited<ReturnType<Client["getAuthorizations"]>>[number];

const failed = issuanceFailed;
/** A solver's cleanup runs even after the order's bound is over, with a bound of its own. */
const CLEANUP_TIMEOUT_MS = 30_000;

export type OrderLogger = (message: string, fields?: Record<string, unknown>) => void;

/**
 * Answers one authorization: present the proof, tell the CA, wait for its verdict, and always
 * withdraw the proof again (a stale TXT or token must not linger, whatever the CA said).
 */
async function authorize(client: Client, authz: Authorization, request: CertificateRequest, signal: AbortSignal, logger: OrderLogger): Promise<void> {
  if (authz.status === "valid") return; // The CA remembers an earlier validation of this name.
  const choice = chooseChallenge(authz, request.challengeFor);
  if (!choice.ok) throw failed(choice.reason);
  const challenge = choice.challenge;
  // The library's helper gives the proof per type: dns-01's TXT value is the digest of the key
  // authorization, http-01's the key authorization itself (token.thumbprint), which both solvers get.
  const keyAuthorization = await client.getChallengeKeyAuthorization({ ...challenge, type: "http-01", token: challenge.token });
  const presented: PresentedChallenge = {
    type: choice.type,
    identifier: authz.identifier.value,
    wildcard: authz.wildcard === true,
    token: challenge.token,
    keyAuthorization,
    ...(choice.type === "dns-01" ? { dnsValue: await client.getChallengeKeyAuthorization(challenge) } : {}),
  };
  const solver = request.solvers[choice.type];
  const what = `Validating ${choice.name} by ${choice.type}`;
  try {
    await bounded(signal, what, solver.present(presented));
    await bounded(signal, what, client.completeChallenge(challenge));
    await bounded(signal, what, client.waitForValidStatus(challenge));
  } catch (err) {
    if (err instanceof AppRunnerError && err.code === "CertificateIssuanceFailed") throw err;
    throw failed(`${what} failed: ${detail(err)}`, err);
  } finally {
    // A proof left behind is harmless to the order's outcome, so a failed cleanup is logged, not thrown over it.
    await bounded(AbortSignal.timeout(CLEANUP_TIMEOUT_MS), `Withdrawing the ${choice.type} proof of ${choice.name}`, solver.cleanup(presented)).catch((err: unknown) =>
      logger("acme challenge cleanup failed", { name: choice.name, type: choice.type, error: detail(err) }),
    );
  }
}

/** The leaf's facts for the console and the renewal schedule, read from the certificate itself. */
export function describeCertificate(certificatePem: string): Pick<IssuedCertificate, "notBefore" | "notAfter" | "issuer"> {
  const leaf = new X509Certificate(certificatePem);
  return { notBefore: new Date(leaf.validFrom), notAfter: new Date(leaf.validTo), issuer: leaf.issuer.replace(/\n/g, ", ") };
}

/** One order from names to certificate (RFC 8555 7.4), every step bounded by `signal`. */
export async function order(client: Client, request: CertificateRequest, signal: AbortSignal, logger: OrderLogger): Promise<IssuedCertificate> {
  const names = request.names;
  const identifiers = names.map((value) => ({ type: "dns", value }));
  const placed = await bounded(signal, `Ordering ${names.join(", ")}`, client.createOrder({ identifiers })).catch((err: unknown) => {
    throw err instanceof AppRunnerError ? err : failed(`Ordering a certificate for ${names.join(", ")} failed: ${detail(err)}`, err);
  });
  const authorizations = await bounded(signal, "Reading the order's authorizations", client.getAuthorizations(placed));
  // One at a time: a name and its wildcard share _acme-challenge.<name>, and one TXT each keeps the proofs apart.
  for (const authz of authorizations) await authorize(client, authz, request, signal, logger);

  const privateKeyPem = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const [, csr] = await acme.crypto.createCsr({ commonName: names[0], altNames: names }, privateKeyPem);
  try {
    const finalized = await bounded(signal, "Finalizing the order", client.finalizeOrder(placed, csr));
    const ready = finalized.status === "valid" ? finalized : await bounded(signal, "Waiting for the certificate", client.waitForValidStatus(finalized));
    const certificatePem = await bounded(signal, "Downloading the certificate", client.getCertificate(ready));
    return { certificatePem, privateKeyPem, names: [...names], ...describeCertificate(certificatePem) };
  } catch (err) {
    if (err instanceof AppRunnerError) throw err;
    throw failed(`Finalizing the certificate for ${names.join(", ")} failed: ${detail(err)}`, err);
  }
}
