import type { IncomingMessage, ServerResponse } from "node:http";
import { awsQueryService } from "../../../protocol/http/aws-query.js";
import { discardBody } from "../../../util/request-body.js";
import { readSignedForm } from "../../../protocol/query/signed-form.js";
import { authorizationRequestsOf, maxBodyBytesOf, type AwsJsonApi } from "../../../protocol/service-registry.js";
import { AppRunnerError, asAppRunnerError } from "../../../errors/app-runner-error.js";
import type { HttpRoute, ModuleDeps } from "../../../modules.js";
import { uuid } from "../../../util/random.js";
import type { CloudWatchOperations } from "../api/cloudwatch-api.js";
import { GET_METRIC_DATA_INPUT, GET_METRIC_STATISTICS_INPUT, LIST_METRICS_INPUT, type StructureShape } from "../api/shapes.js";
import { recordQueryCall, sendQueryXml } from "../../../protocol/query/answer.js";
import { queryErrorOf } from "../../../protocol/query/error-codes.js";
import { decodeQuery } from "./form-decode.js";
import { errorXml, responseXml } from "./xml.js";

const API_VERSION = "2010-08-01";
const SIGNING_NAME = "monitoring";

const INPUTS: Record<string, StructureShape> = {
  GetMetricStatistics: GET_METRIC_STATISTICS_INPUT,
  GetMetricData: GET_METRIC_DATA_INPUT,
  ListMetrics: LIST_METRICS_INPUT,
};

/**
 * A form-encoded POST belongs to the awsQuery protocol: CloudWatch takes those signed for it,
 * and unsigned ones (to answer them with its own authentication error).
 */
export function isCloudWatchQuery(req: IncomingMessage): boolean {
  const service = awsQueryService(req);
  return service === "" || service === SIGNING_NAME;
}

export type QueryRouteDeps = Pick<ModuleDeps, "credentials" | "authorizer" | "config" | "clock" | "random" | "admitApiCall" | "recordApiCall" | "logger">;

/**
 * CloudWatch over awsQuery, as the AWS CLI v2 (botocore) speaks it: `Action=…&Version=2010-08-01`
 * in the body, SigV4 for `monitoring`, XML answers. It only translates: the operations are the
 * ones the JSON API runs, fed the same JSON-form input.
 */
export function cloudWatchQueryRoute(ops: CloudWatchOperations, api: AwsJsonApi, deps: QueryRouteDeps): HttpRoute {
  return {
    matches: isCloudWatchQuery,
    async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const requestId = uuid(deps.random);
      const time = deps.clock.now();
      let action: string | undefined;
      let input: Record<string, unknown> | undefined;
      let output: Record<string, unknown> | undefined;
      let accessKeyId: string | undefined;
      let failure: AppRunnerError | undefined;
      let errorCode: string | undefined;
      try {
        const { principal, params } = await readSignedForm(req, {
          credentials: deps.credentials,
          signingName: SIGNING_NAME,
          region: deps.config.region,
          clock: deps.clock,
          maxBodyBytes: maxBodyBytesOf(api, undefined),
        });
        accessKeyId = principal.accessKeyId;
        action = params.get("Action") ?? undefined;
        const version = params.get("Version") ?? "";
        const name = action !== undefined && Object.hasOwn(ops.operations, action) && Object.hasOwn(INPUTS, action) ? action : undefined;
        const operation = name === undefined ? undefined : ops.operations[name];
        const inputShape = name === undefined ? undefined : INPUTS[name];
        const outputShape = name === undefined ? undefined : ops.outputs[name];
        if (!action || !operation || !inputShape || !outputShape || version !== API_VERSION) {
          throw new AppRunnerError("UnknownOperation", `Could not find operation ${action ?? "(no Action)"} for version ${version || "(no Version)"}.`);
        }
        const decoded = decodeQuery(params, inputShape);
        input = decoded;
        // As on the JSON API: the same IAM action and resource, after decoding and before the trail admits the call.
        deps.authorizer.authorize(principal, authorizationRequestsOf(api, action, decoded, principal), {
          sourceIp: req.socket.remoteAddress ?? "",
          secureTransport: false,
          time,
        });
        deps.admitApiCall({ api, operation: action, requestId, input: decoded });
        output = operation(input);
        const xml = responseXml(action, output, outputShape, requestId);
        sendQueryXml(res, 200, xml, requestId);
      } catch (err) {
        failure = asAppRunnerError(err);
        if (failure.code === "InternalServiceError") {
          deps.logger("internal error while handling a request", {
            requestId,
            operation: action,
            error: err instanceof Error ? (err.stack ?? err.message) : String(err),
          });
        }
        discardBody(req);
        const q = queryErrorOf(failure);
        errorCode = q.code;
        const xml = errorXml(q.type, q.code, failure.message, requestId);
        sendQueryXml(res, q.status, xml, requestId);
      } finally {
        // The audit trail sees the call as on the JSON API: same API, JSON-form input; the error is the code the client got.
        recordQueryCall(deps.recordApiCall, req, {
          api,
          operation: action,
          requestId,
          time,
          accessKeyId,
          input,
          output,
          errorCode,
          errorMessage: failure?.message,
        });
      }
    },
  };
}
