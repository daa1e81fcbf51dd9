import type { IncomingMessage, ServerResponse } from "node:http";
import { AppRunnerError, asAppRunnerError } from "../../errors/app-runner-error.js";
import { verifySigV4, type CredentialLookup } from "../../iam/sigv4/verify.js";
import { validateInput } from "../../model/validate.js";
import { uuid } from "../../util/random.js";
import type { ApiDeps } from "../context.js";
import type { ApiCallListener, AwsJsonApi } from "../service-registry.js";
import { writeError, writeJson } from "./errors.js";
import { readBody, signedRequestOf } from "./read-request.js";

const ACCEPTED_CONTENT_TYPES = new Set(["application/x-amz-json-1.0", "application/x-amz-json-1.1"]);

export interface AwsJsonHandlerOptions {
  deps: ApiDeps;
  apis: AwsJsonApi[];
  credentials: CredentialLookup;
  onCall?: ApiCallListener;
  /** Logs what went wrong inside (InternalServiceError causes); callers only see the type. */
  logger: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * `POST /` with `X-Amz-Target: <Prefix>.<Operation>`: authenticate (SigV4), find the
 * operation, check the content type, parse and validate the JSON, run the handler.
 */
export function createAwsJsonHandler(opts: AwsJsonHandlerOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
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
      const body = await readBody(req);
      const signed = signedRequestOf(req, body);
      const principal = verifySigV4(signed, opts.credentials, {
        signingName: (api ?? fallbackApi)?.signingName ?? "apprunner",
        region: deps.config.region,
        clock: deps.clock,
      });
      accessKeyId = principal.accessKeyId;
      const handler = api && operation ? api.operations[operation] : undefined;
      if (!api || !operation || !handler || req.method !== "POST") {
        throw new AppRunnerError("UnknownOperation", `Unknown operation: ${targetStr ?? "(no X-Amz-Target header)"}`);
      }
      const contentType = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
      if (!ACCEPTED_CONTENT_TYPES.has(contentType)) {
        // AWS's front door picks the protocol by Content-Type; without one it knows, no operation matches.
        throw new AppRunnerError(
          "UnknownOperation",
          `Unsupported Content-Type '${contentType}': use application/x-amz-json-${api.jsonVersion}.`,
        );
      }
      input = parseJsonBody(body);
      const inputShape = api.model?.operations[operation]?.input?.shape;
      if (inputShape) validateInput(inputShape, input);
      output = await handler(input as Record<string, unknown>, { ...deps, principal, requestId });
      writeJson(res, requestId, jsonVersion, output);
    } catch (err) {
      failure = asAppRunnerError(err);
      if (failure.code === "InternalServiceError") {
        opts.logger("internal error while handling a request", {
          requestId,
          operation: targetStr,
          error: err instanceof Error ? err.stack ?? err.message : String(err),
        });
      }
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
        errorCode: failure?.awsType,
        errorMessage: failure?.message,
      });
    }
  };
}

function parseJsonBody(body: Buffer): Record<string, unknown> {
  const text = body.toString("utf8").trim();
  if (text === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new AppRunnerError("Serialization", `The request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new AppRunnerError("Serialization", "The request body must be a JSON object.");
  }
  return parsed as Record<string, unknown>;
}
