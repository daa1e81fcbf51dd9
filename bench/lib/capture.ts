// Type-only (erased at run time): @smithy/types is the SDK clients' own dependency.
import type { DeserializeMiddleware, MetadataBearer, MiddlewareStack } from "@smithy/types";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";

/** A request exactly as the SDK put it on the wire: signed, with its body. */
export interface SignedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface Exchange {
  request: SignedRequest;
  responseBody: string;
}

interface WireRequest {
  method?: unknown;
  path?: unknown;
  headers?: unknown;
  body?: unknown;
}

function asSignedRequest(r: WireRequest): SignedRequest {
  if (typeof r.method !== "string" || typeof r.path !== "string" || typeof r.headers !== "object" || r.headers === null) {
    throw new Error("the SDK handed the wire an unexpected request shape");
  }
  const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, String(v)]));
  const body = typeof r.body === "string" ? r.body : r.body instanceof Uint8Array ? new TextDecoder().decode(r.body) : undefined;
  if (body === undefined) throw new Error("the SDK sent a body this bench cannot replay");
  return { method: r.method, path: r.path, headers, body };
}

/**
 * Records each call's signed request and raw response body, then hands the SDK an identical
 * stream. Used before measuring: the baseline server answers with OpenRunner's exact bytes,
 * and the replay client re-sends the SDK's own signed requests. Any AWS SDK v3 client (App
 * Runner, KMS, Secrets Manager, SSM, ...): they share the middleware stack.
 */
export function captureExchanges<I extends object, O extends MetadataBearer>(client: { middlewareStack: MiddlewareStack<I, O> }): { last(): Exchange } {
  let last: Exchange | undefined;
  const middleware: DeserializeMiddleware<I, O> = (next) => async (args) => {
    const out = await next(args);
    const response = out.response as { body?: unknown };
    if (response.body instanceof Readable) {
      const bytes = await buffer(response.body);
      last = { request: asSignedRequest(args.request as WireRequest), responseBody: bytes.toString("utf8") };
      response.body = Readable.from([bytes]);
    }
    return out;
  };
  client.middlewareStack.addRelativeTo(
    middleware,
    // After the deserializer = nearer the wire: the request is signed, the response not yet parsed.
    { relation: "after", toMiddleware: "deserializerMiddleware", name: "benchCapture" },
  );
  return {
    last() {
      if (!last) throw new Error("no call has been captured yet");
      return last;
    },
  };
}
