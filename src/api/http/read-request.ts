import type { IncomingMessage } from "node:http";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { SignedRequest } from "../../iam/sigv4/verify.js";

export const MAX_BODY_BYTES = 8 * 1024 * 1024;

export class BodyTooLargeError extends AppRunnerError {
  constructor(maxBytes: number) {
    super("Serialization", `Request body is larger than ${maxBytes} bytes.`);
  }
}

/** The whole body; a body over `maxBytes` rejects with BodyTooLargeError and the connection is closed right after. */
export function readBody(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (c: Buffer) => {
      if (tooLarge) return;
      size += c.length;
      if (size > maxBytes) {
        tooLarge = true;
        reject(new BodyTooLargeError(maxBytes));
        // After the caller's answer has had its chance to go out.
        setImmediate(() => req.destroy());
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Headers as SigV4 sees them: lower-cased names, every value in arrival order. */
export function signedRequestOf(req: IncomingMessage, body: Buffer): SignedRequest {
  const headers = new Map<string, string[]>();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] ?? "").toLowerCase();
    const list = headers.get(name) ?? [];
    list.push(raw[i + 1] ?? "");
    headers.set(name, list);
  }
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  return {
    method: req.method ?? "GET",
    rawPath: q < 0 ? url : url.slice(0, q),
    rawQuery: q < 0 ? "" : url.slice(q + 1),
    headers,
    body,
  };
}
