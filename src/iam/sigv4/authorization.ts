import { AppRunnerError } from "../../errors/app-runner-error.js";

export const ALGORITHM = "AWS4-HMAC-SHA256";

/** The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header. */
export interface ParsedAuthorization {
  accessKeyId: string;
  date: string; // YYYYMMDD from the credential scope
  region: string;
  service: string;
  terminator: string;
  /** Shared by every header the same client signs alike (see parseAuthorization): never changed. */
  signedHeaders: readonly string[];
  signature: string;
}

/** A SigV4 signature is a SHA-256 HMAC in lower-case hex: exactly 64 characters. */
const SIGNATURE_LENGTH = 64;

/** Where the access key id starts in the SDKs' form. */
const CREDENTIAL_AT = `${ALGORITHM} Credential=`.length;

/**
 * The form AWS SDKs, the CLI and Terraform send, with nothing the full parse would trim, fold,
 * split or lower-case: every header `<its text before the signature><signature>` parses to the
 * same parts but the signature, for any signature without a comma or white space at its ends.
 */
const SDK_FORM =
  /^AWS4-HMAC-SHA256 Credential=[^,\s/]+\/[^,\s/]+\/[^,\s/]+\/[^,\s/]+\/aws4_request, SignedHeaders=[a-z0-9_.-]+(?:;[a-z0-9_.-]+)*, Signature=[0-9a-f]{64}$/;

/** A header's parts but its signature, with its text before the signature. */
interface Remembered extends Omit<ParsedAuthorization, "signature"> {
  text: string;
}

/**
 * Per access key id, newest first. Found by the key id (short) and then compared as text: a
 * Map keyed by the whole text before the signature hashed ~200 characters per call, as long as
 * the full parse took.
 */
const remembered = new Map<string, Remembered[]>();
/** Clients at once; a flood of others only clears this. */
const MAX_KEYS = 256;
/** A client's scopes and header sets: one a day per region, service and kind of call. */
const MAX_PER_KEY = 8;

/** The parts of a header whose text before the signature was parsed before, or undefined. */
function recall(header: string): ParsedAuthorization | undefined {
  const cut = header.length - SIGNATURE_LENGTH;
  const slash = header.indexOf("/", CREDENTIAL_AT);
  if (cut <= CREDENTIAL_AT || slash < 0) return undefined;
  const known = remembered.get(header.slice(CREDENTIAL_AT, slash));
  if (known === undefined) return undefined;
  const text = header.slice(0, cut);
  for (const r of known) {
    if (r.text !== text) continue;
    const signature = header.slice(cut);
    // The full parse would split the signature at a comma or trim it: such a header is parsed in full.
    if (signature.includes(",") || signature.trim() !== signature) return undefined;
    const { accessKeyId, date, region, service, terminator, signedHeaders } = r;
    return { accessKeyId, date, region, service, terminator, signedHeaders, signature };
  }
  return undefined;
}

function remember(header: string, parsed: ParsedAuthorization): void {
  let known = remembered.get(parsed.accessKeyId);
  if (known === undefined) {
    if (remembered.size >= MAX_KEYS) remembered.clear();
    known = [];
    remembered.set(parsed.accessKeyId, known);
  }
  const { accessKeyId, date, region, service, terminator } = parsed;
  const text = header.slice(0, header.length - SIGNATURE_LENGTH);
  known.unshift({ text, accessKeyId, date, region, service, terminator, signedHeaders: Object.freeze([...parsed.signedHeaders]) });
  if (known.length > MAX_PER_KEY) known.pop();
}

/**
 * Parses the Authorization header the way AWS's front door does: missing parts are an
 * IncompleteSignatureException naming each one, a header that is not SigV4 at all is too.
 *
 * Each request's signature differs (X-Amz-Date, the SDK's invocation id), but a client's text
 * before it (algorithm, credential scope, signed headers) does not: a header in the SDKs' exact
 * form whose text before the signature was parsed before reuses those parts. Anything else,
 * every refusal included, takes the full parse.
 */
export function parseAuthorization(header: string, hasDate: boolean): ParsedAuthorization {
  const known = hasDate ? recall(header) : undefined;
  if (known !== undefined) return known;
  const parsed = parseAuthorizationFully(header, hasDate);
  if (SDK_FORM.test(header)) remember(header, parsed);
  return parsed;
}

/** The full parse, for every header; parseAuthorization's shortcut must answer as this does. */
export function parseAuthorizationFully(header: string, hasDate: boolean): ParsedAuthorization {
  const trimmed = header.trim();
  const space = trimmed.indexOf(" ");
  const algorithm = space < 0 ? trimmed : trimmed.slice(0, space);
  if (algorithm !== ALGORITHM) {
    throw new AppRunnerError(
      "IncompleteSignature",
      `Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. ` +
        `Authorization header requires 'SignedHeaders' parameter. Authorization=${algorithm}`,
    );
  }
  const params = new Map<string, string>();
  for (const part of trimmed.slice(space + 1).split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing: string[] = [];
  for (const name of ["Credential", "Signature", "SignedHeaders"]) {
    if (!params.get(name)) missing.push(`Authorization header requires '${name}' parameter.`);
  }
  if (!hasDate) missing.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  if (missing.length > 0) {
    throw new AppRunnerError("IncompleteSignature", `${missing.join(" ")} Authorization=${ALGORITHM}`);
  }
  const credential = params.get("Credential") ?? "";
  const scope = credential.split("/");
  if (scope.length !== 5 || scope.some((p) => p.length === 0)) {
    throw new AppRunnerError(
      "IncompleteSignature",
      `Credential should have at least 5 slash-separated parts, not ${scope.length}.`,
    );
  }
  const [accessKeyId, date, region, service, terminator] = scope as [string, string, string, string, string];
  const signedHeaders = (params.get("SignedHeaders") ?? "").split(";").map((h) => h.trim().toLowerCase());
  return { accessKeyId, date, region, service, terminator, signedHeaders, signature: params.get("Signature") ?? "" };
}
