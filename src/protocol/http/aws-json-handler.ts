import type { IncomingMessage, ServerResponse } from "node:http";
import { AppRunnerError, asAppRunnerError } from "../../errors/app-runner-error.js";
import { checkCredential, checkSignature, type CredentialLookup } from "../../iam/sigv4/verify.js";
import { validateInput } from "../../model/validate.js";
import { uuid } from "../../util/random.js";
import type { EndpointDeps } from "../context.js";
import type { Authorizer } from "../../iam/authorization.js";
import { authorizationRequestsOf, maxBodyBytesOf, type ApiCallGate, type ApiCallListener, type AwsJsonApi } from "../service-registry.js";
import { writeError, writeJson } from "./errors.js";
import { parseJsonBody } from "./json-body.js";
import { discardBody, readBody } from "../../util/request-body.js";
import { signedHeadOf } from "./read-request.js";

const ACCEPTED_CONTENT_TYPES = new Set(["application/x-amz-json-1.0", "application/x-amz-json-1.1"]);

/** `application/x-amz-json-1.1; charset=utf-8` -> `application/x-amz-json-1.1`. */
const mediaTypeOf = (header: string): string => {
  const semicolon = header.indexOf(";");
  return (semicolon < 0 ? header : header.slice(0, semicolon)).trim().toLowerCase();
};

/** The headers that choose what runs: a signature that leaves them out could be replayed as another operation. */
const OPERATION_HEADERS = ["x-amz-target", "content-type"] as const;

export interface AwsJsonHandlerOptions<Deps extends EndpointDeps> {
  /** Handed to every handler with the call's principal and request id. */
  deps: Deps;
  apis: AwsJsonApi<Deps>[];
  credentials: CredentialLookup;
  /** Asked on every call, after the input is checked and before the audit trail admits it. */
  authorizer: Authorizer;
  /** Asked before each call runs; a call it refuses is answered with its error and never runs. */
  admit?: ApiCallGate;
  onCall?: ApiCallListener;
  /** Logs what went wrong inside (InternalServiceError causes); callers only see the type. */
  logger: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * `POST /` with `X-Amz-Target: <Prefix>.<Operation>`: authenticate (SigV4: the header and the
 * key before the body is read, the signature after), find the operation, check the content
 * type, parse the JSON (bounded in size and depth), check it against the API's model, let the
 * audit trail admit the call, run the handler.
 */
export function createAwsJsonHandler<Deps extends EndpointDeps>(opts: AwsJsonHandlerOptions<Deps>): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const byPrefix = new Map(opts.apis.map((a) => [a.targetPrefix, a]));
  const fallbackApi = opts.apis[0];
  return async (req, res) => {
    const { deps } = opts;
    const requestId = uuid(deps.random);
    const time = deps.clock.now();
    const target = req.headers["x-amz-target"];
    const targetStr = Array.isArray(target) ? target[0] : target;
    const dot = targetStr?.lastIndexOf(".") ?? -1;
    const api = targetStr && dot > 0 ? byPrefix.get(targetStr.slice(0, dot)) : undefined;
    const operation = targetStr && dot > 0 ? targetStr.slice(dot + 1) : undefined;
    const jsonVersion = api?.jsonVersion ?? fallbackApi?.jsonVersion ?? "1.0";
    let input: unknown;
    let output: unknown;
    let accessKeyId: string | undefined;
    let failure: AppRunnerError | undefined;
    try {
      const head = signedHeadOf(req);
      const credential = checkCredential(head, opts.credentials, {
        signingName: (api ?? fallbackApi)?.signingName ?? "apprunner",
        region: deps.config.region,
        clock: deps.clock,
        mustSign: OPERATION_HEADERS,
      });
      const body = await readBody(req, maxBodyBytesOf(api, operation));
      const principal = checkSignature(credential, head, body);
      accessKeyId = principal.accessKeyId;
      const handler = api && operation && Object.hasOwn(api.operations, operation) ? api.operations[operation] : undefined;
      if (!api || !operation || !handler || req.method !== "POST") {
        throw new AppRunnerError("UnknownOperation", `Unknown operation: ${targetStr ?? "(no X-Amz-Target header)"}`);
      }
      const contentType = mediaTypeOf(req.headers["content-type"] ?? "");
      if (!ACCEPTED_CONTENT_TYPES.has(contentType)) {
        // AWS's front door picks the protocol by Content-Type; without one it knows, no operation matches.
        throw new AppRunnerError(
          "UnknownOperation",
          `Unsupported Content-Type '${contentType}': use application/x-amz-json-${api.jsonVersion}.`,
        );
      }
      const parsed = parseJsonBody(body);
      input = parsed;
      const inputShape = api.model?.operations[operation]?.input?.shape;
      if (api.model && inputShape) validateInput(inputShape, parsed, api.model, api.modelChecks ?? "all");
      const call = { sourceIp: req.socket.remoteAddress ?? "", secureTransport: false, time };
      const requests = authorizationRequestsOf(api, operation, parsed, principal);
      if (api.authorization?.authorize) api.authorization.authorize(principal, requests, call);
      else opts.authorizer.authorize(principal, requests, call);
      opts.admit?.({ api, operation, requestId, input: parsed });
      // The call's own members first, then the deps spread in: `{ ...deps, principal, ... }` (V8's
      // clone of deps, then three properties added to it) made half of what every young-generation
      // GC had to copy and promote under load (docs/performance.md, "December (5)").
      output = await handler(parsed, { principal, requestId, call, ...deps });
      writeJson(res, requestId, jsonVersion, output);
    } catch (err) {
      failure = asAppRunnerError(err);
      // Every server-side failure, whatever name its API gives it (ECR's ServerException), with what caused it.
      if (failure.httpStatus >= 500) {
        const cause = failure === err && failure.cause !== undefined ? failure.cause : err;
        opts.logger("internal error while handling a request", {
          requestId,
          operation: targetStr,
          error: cause instanceof Error ? cause.stack ?? cause.message : String(cause ?? failure.message),
        });
      }
      // Refused before its body was read (authentication, size): the body is thrown away, not kept.
      discardBody(req);
      writeError(res, requestId, jsonVersion, failure);
    } finally {
      opts.onCall?.({
        api,
        operation,
        requestId,
        time,
        sourceIp: req.socket.remoteAddress ?? "",
        userAgent: String(req.headers["user-agent"] ?? ""),
        accessKeyId,
        input,
        output,
        // CloudTrail records an IAM refusal as AccessDenied whatever exception name the API answers with.
        errorCode: failure?.code === "AccessDenied" ? "AccessDenied" : failure?.awsType,
        errorMessage: failure?.message,
      });
    }
  };
}
