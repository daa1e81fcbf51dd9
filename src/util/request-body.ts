/*
 * Reading a request's body within a limit, and throwing away one nobody will read, so the
 * client always gets its answer: for the AWS protocol endpoints and every other HTTP route
 * (webhooks, registry notifications, the edge routers' data-plane route).
 */
import type { IncomingMessage } from "node:http";
import { AppRunnerError } from "../errors/app-runner-error.js";

/**
 * How much of a refused request's body is read and thrown away so the client, still sending,
 * reads its answer instead of a TCP reset. Past this the connection is cut.
 */
export const MAX_DISCARD_BYTES = 16 * 1024 * 1024;

export class BodyTooLargeError extends AppRunnerError {
  constructor(readonly maxBytes: number) {
    super("RequestEntityTooLarge", `Request body is larger than ${maxBytes} bytes.`);
  }
}

/** The Content-Length the client announced; undefined for a chunked body or a malformed header. */
export function declaredLength(req: IncomingMessage): number | undefined {
  const raw = req.headers["content-length"];
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}

/**
 * Throws BodyTooLargeError when the announced length is already over `maxBytes`, so the
 * answer goes out before any of the body is read.
 */
export function refuseAnnouncedOversize(req: IncomingMessage, maxBytes: number): void {
  const announced = declaredLength(req);
  if (announced !== undefined && announced > maxBytes) throw new BodyTooLargeError(maxBytes);
}

const discarding = new WeakSet<IncomingMessage>();

/**
 * Reads what is left of a request nobody will use and forgets it, so the client can finish
 * sending and read the answer on a connection that stays usable (Node would otherwise close
 * it under the client's feet: a reset, not an answer). Past `maxBytes` the socket is cut.
 */
export function discardBody(req: IncomingMessage, maxBytes = MAX_DISCARD_BYTES): void {
  if (req.complete || req.destroyed || discarding.has(req)) return;
  discarding.add(req);
  let seen = 0;
  req.removeAllListeners("data");
  req.on("data", (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > maxBytes) req.socket.destroy();
  });
  req.on("error", () => undefined);
  req.resume();
}

/**
 * The whole body, at most `maxBytes`. A body over the limit (announced or found while reading)
 * rejects with BodyTooLargeError; the rest is then read and discarded (discardBody), never
 * held in memory, so the caller's 413 reaches the client.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    try {
      refuseAnnouncedOversize(req, maxBytes);
    } catch (err) {
      discardBody(req);
      reject(err);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size > maxBytes) {
        req.off("data", onData);
        req.off("end", onEnd);
        chunks.length = 0;
        discardBody(req);
        reject(new BodyTooLargeError(maxBytes));
        return;
      }
      chunks.push(c);
    };
    const onEnd = (): void => resolve(Buffer.concat(chunks));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", reject);
  });
}
