import type { IncomingMessage, ServerResponse } from "node:http";
import { AppRunnerError, asAppRunnerError } from "../../errors/app-runner-error.js";
import type { ErrorCode } from "../../errors/codes.js";
import type { Authorizer } from "../../iam/authorization.js";
import type { CredentialLookup, Principal } from "../../iam/sigv4/verify.js";
import { validateInput } from "../../model/validate.js";
import type { Clock } from "../../util/clock.js";
import { uuid, type Random } from "../../util/random.js";
import { discardBody } from "../../util/request-body.js";
import { awsQueryService } from "../http/aws-query.js";
import { authorizationRequestsOf, maxBodyBytesOf, type ApiCallGate, type ApiCallListener, type AwsJsonApi } from "../service-registry.js";
import { recordQueryCall, sendQueryXml } from "./answer.js";
import { queryErrorOf } from "./error-codes.js";
import { decodeQueryInput } from "./form-input.js";
import { readSignedForm } from "./signed-form.js";
import { queryErrorXml, queryResponseXml } from "./xml-output.js";

/** What a model-driven awsQuery route needs of the control plane (ModuleDeps has all of it). */
export interface QueryRouteDeps {
  credentials: CredentialLookup;
  authorizer: Authorizer;
  config: { region: string };
  clock: Clock;
  random: Random;
  logger: (message: string, fields?: Record<string, unknown>) => void;
  admitApiCall: ApiCallGate;
  recordApiCall: ApiCallListener;
}

export interface QueryApiOptions {
  /** Regions a signature may be scoped to besides the configured one (IAM and STS: us-east-1). */
  alsoRegions?: readonly string[];
  /** The code model constraint violations are answered with (IAM: ValidationError); InvalidRequest otherwise. */
  validationError?: ErrorCode;
}

/**
 * An awsQuery API served from its botocore model (`api.model`, with `xmlNamespace`): a
 * form-encoded POST signed for `api.signingName`, `Action=…&Version=<apiVersion>`. Each call is
 * decoded into the JSON form by the operation's input shape, checked against the model,
 * authorized, admitted by the audit trail, run with `handlerDeps`, and answered in XML; every
 * call, refused or not, is recorded like a JSON API's.
 */
export function queryApiRoute<Deps>(api: AwsJsonApi<Deps>, deps: QueryRouteDeps, handlerDeps: Deps, opts: QueryApiOptions = {}) {
  const model = api.model;
  if (!model?.metadata.xmlNamespace) throw new Error(`awsQuery API ${api.signingName} needs a model with an xmlNamespace`);
  const xmlns = model.metadata.xmlNamespace;
  return {
    matches: (req: IncomingMessage): boolean => awsQueryService(req) === api.signingName,
    async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const requestId = uuid(deps.random);
      const time = deps.clock.now();
      let action: string | undefined;
      let input: Record<string, unknown> | undefined;
      let output: unknown;
      let principal: Principal | undefined;
      let failure: AppRunnerError | undefined;
      let errorCode: string | undefined;
      let xml: string;
      let status = 200;
      try {
        const signed = await readSignedForm(req, {
          credentials: deps.credentials,
          signingName: api.signingName,
          region: deps.config.region,
          alsoRegions: opts.alsoRegions,
          clock: deps.clock,
          maxBodyBytes: maxBodyBytesOf(api as AwsJsonApi, undefined),
        });
        principal = signed.principal;
        action = signed.params.get("Action") ?? undefined;
        const version = signed.params.get("Version") ?? "";
        const handler = action !== undefined && Object.hasOwn(api.operations, action) ? api.operations[action] : undefined;
        if (action === undefined || !handler || version !== model.metadata.apiVersion) {
          throw new AppRunnerError("UnknownOperation", `Could not find operation ${action ?? "(no Action)"} for version ${version || "(no Version)"}.`);
        }
        const inputShape = model.operations[action]?.input?.shape;
        const decoded = decodeQueryInput(model, inputShape, signed.params);
        input = decoded;
        if (inputShape) validated(() => validateInput(inputShape, decoded, model, api.modelChecks ?? "all"), opts.validationError);
        deps.authorizer.authorize(principal, authorizationRequestsOf(api as AwsJsonApi, action, decoded, principal), {
          sourceIp: req.socket.remoteAddress ?? "",
          secureTransport: false,
          time,
        });
        deps.admitApiCall({ api: api as AwsJsonApi, operation: action, requestId, input: decoded });
        // Members first, then the deps spread in, as the AWS JSON handler does (a clone with members added was promoted by young GCs).
        output = await handler(decoded, { principal, requestId, ...handlerDeps });
        xml = queryResponseXml(model, action, output, requestId);
      } catch (err) {
        failure = asAppRunnerError(err);
        if (failure.httpStatus >= 500) {
          const cause = failure === err && failure.cause !== undefined ? failure.cause : err;
          deps.logger("internal error while handling a request", {
            requestId,
            operation: action,
            error: cause instanceof Error ? (cause.stack ?? cause.message) : String(cause ?? failure.message),
          });
        }
        discardBody(req);
        const q = queryErrorOf(failure);
        ({ status, code: errorCode } = q);
        xml = queryErrorXml(xmlns, { type: q.type, code: q.code, message: failure.message }, requestId);
      }
      sendQueryXml(res, status, xml, requestId);
      recordQueryCall(deps.recordApiCall, req, {
        api: api as AwsJsonApi,
        operation: action,
        requestId,
        time,
        accessKeyId: principal?.accessKeyId,
        input,
        output,
        errorCode,
        errorMessage: failure?.message,
      });
    },
  };
}

/** Runs the model's check, answering constraint violations with the API's own code. */
function validated(check: () => void, code: ErrorCode | undefined): void {
  try {
    check();
  } catch (err) {
    if (code && err instanceof AppRunnerError && err.code === "InvalidRequest") throw new AppRunnerError(code, err.message);
    throw err;
  }
}
