import type { IncomingMessage, ServerResponse } from "node:http";
import { awsQueryService, firstHeader as header } from "../../../api/http/aws-query.js";
import { readBody, signedRequestOf } from "../../../api/http/read-request.js";
import type { AwsJsonApi } from "../../../api/service-registry.js";
import { AppRunnerError, asAppRunnerError } from "../../../errors/app-runner-error.js";
import { verifySigV4 } from "../../../iam/sigv4/verify.js";
import type { HttpRoute, ModuleDeps } from "../../../modules.js";
import { uuid } from "../../../util/random.js";
import type { CloudWatchOperations } from "../api/cloudwatch-api.js";
import { GET_METRIC_DATA_INPUT, GET_METRIC_STATISTICS_INPUT, LIST_METRICS_INPUT, type StructureShape } from "../api/shapes.js";
import { queryErrorOf } from "./error-codes.js";
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

export type QueryRouteDeps = Pick<ModuleDeps, "credentials" | "config" | "clock" | "random" | "recordApiCall" | "logger">;

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
        const body = await readBody(req);
        const principal = verifySigV4(signedRequestOf(req, body), deps.credentials, {
          signingName: SIGNING_NAME,
          region: deps.config.region,
          clock: deps.clock,
        });
        accessKeyId = principal.accessKeyId;
        const params = new URLSearchParams(body.toString("utf8"));
        action = params.get("Action") ?? undefined;
        const version = params.get("Version") ?? "";
        const operation = action === undefined ? undefined : ops.operations[action];
        const inputShape = action === undefined ? undefined : INPUTS[action];
        const outputShape = action === undefined ? undefined : ops.outputs[action];
        if (!action || !operation || !inputShape || !outputShape || version !== API_VERSION) {
          throw new AppRunnerError("UnknownOperation", `Could not find operation ${action ?? "(no Action)"} for version ${version || "(no Version)"}.`);
        }
        input = decodeQuery(params, inputShape);
        output = operation(input);
        const xml = responseXml(action, output, outputShape, requestId);
        res.writeHead(200, { "Content-Type": "text/xml", "Content-Length": Buffer.byteLength(xml), "x-amzn-RequestId": requestId });
        res.end(xml);
      } catch (err) {
        failure = asAppRunnerError(err);
        if (failure.code === "InternalServiceError") {
          deps.logger("internal error while handling a request", {
            requestId,
            operation: action,
            error: err instanceof Error ? (err.stack ?? err.message) : String(err),
          });
        }
        const q = queryErrorOf(failure);
        errorCode = q.code;
        const xml = errorXml(q.type, q.code, failure.message, requestId);
        res.writeHead(q.status, { "Content-Type": "text/xml", "Content-Length": Buffer.byteLength(xml), "x-amzn-RequestId": requestId });
        res.end(xml);
      } finally {
        // The audit trail sees the call as on the JSON API: same API, JSON-form input; the error is the code the client got.
        deps.recordApiCall({
          api,
          operation: action,
          requestId,
          time,
          sourceIp: req.socket.remoteAddress ?? "",
          userAgent: header(req, "user-agent"),
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
