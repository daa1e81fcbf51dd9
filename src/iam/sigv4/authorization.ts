import { AppRunnerError } from "../../errors/app-runner-error.js";

export const ALGORITHM = "AWS4-HMAC-SHA256";

/** The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header. */
export interface ParsedAuthorization {
  accessKeyId: string;
  date: string; // YYYYMMDD from the credential scope
  region: string;
  service: string;
  terminator: string;
  signedHeaders: string[];
  signature: string;
}

/**
 * Parses the Authorization header the way AWS's front door does: missing parts are an
 * IncompleteSignatureException naming each one, a header that is not SigV4 at all is too.
 */
export function parseAuthorization(header: string, hasDate: boolean): ParsedAuthorization {
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
