import type { IncomingMessage, ServerResponse } from "node:http";
import { awsQueryService, firstHeader } from "../protocol/http/aws-query.js";
import { discardBody } from "../util/request-body.js";
import { readSignedForm } from "../protocol/query/signed-form.js";
import { handler } from "../protocol/context.js";
import type { AwsJsonApi } from "../protocol/service-registry.js";
import { AppRunnerError, asAppRunnerError } from "../errors/app-runner-error.js";
import type { ControlPlaneModule, HttpRoute, ModuleDeps } from "../modules.js";
import { queryErrorOf } from "../protocol/query/error-codes.js";
import { escapeXml } from "../protocol/query/escape-xml.js";
import { uuid } from "../util/random.js";
import type { Principal } from "../iam/sigv4/verify.js";

/*
 * STS GetCallerIdentity, the one STS call tools make to learn whose key they hold: Terraform's
 * AWS provider validates its credentials and learns the account id with it, and without an
 * account id it cannot give aws_apprunner_default_auto_scaling_configuration_version an id (it
 * is the account id). awsQuery protocol, as every SDK and CLI sends it: a form-encoded POST
 * signed for `sts`, XML answers.
 */

const SIGNING_NAME = "sts";
/** GetCallerIdentity takes no parameters: anything past a few KiB is not a real client's call. */
const MAX_BODY_BYTES = 16 * 1024;
const API_VERSION = "2011-06-15";
const XML_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";

/** How the audit trail names STS (eventSource sts.amazonaws.com); it has no JSON operations here. */
/**
 * STS as the audit trail files its calls. Only the awsQuery route below serves it; the entry
 * names the one operation it serves, since the trail records only operations an API serves.
 */
const STS_API: AwsJsonApi = {
  targetPrefix: "AWSSecurityTokenServiceV20110615",
  signingName: SIGNING_NAME,
  jsonVersion: "1.0",
  operations: {
    GetCallerIdentity: handler(() => {
      throw new AppRunnerError("UnknownOperation", "STS is served over the awsQuery protocol only.");
    }),
  },
};

/** A form-encoded POST signed for `sts` (unsigned ones are CloudWatch's to refuse). */
export function isStsRequest(req: IncomingMessage): boolean {
  return awsQueryService(req) === SIGNING_NAME;
}

/** The caller as STS describes it; the root key's user id is the account id, as in AWS. */
export function callerIdentityXml(principal: Principal, requestId: string): string {
  const userId = principal.type === "Root" ? principal.accountId : principal.accessKeyId;
  return (
    `<GetCallerIdentityResponse xmlns="${XML_NAMESPACE}">` +
    `<GetCallerIdentityResult><Arn>${escapeXml(principal.arn)}</Arn><UserId>${escapeXml(userId)}</UserId>` +
    `<Account>${escapeXml(principal.accountId)}</Account></GetCallerIdentityResult>` +
    `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata>` +
    `</GetCallerIdentityResponse>`
  );
}

/** An awsQuery error with STS's codes for authentication failures (InvalidClientTokenId, SignatureDoesNotMatch, ...). */
export function stsErrorXml(err: AppRunnerError, requestId: string): { status: number; code: string; xml: string } {
  const q = queryErrorOf(err);
  const xml =
    `<ErrorResponse xmlns="${XML_NAMESPACE}">` +
    `<Error><Type>${q.type}</Type><Code>${escapeXml(q.code)}</Code><Message>${escapeXml(err.message)}</Message></Error>` +
    `<RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`;
  return { status: q.status, code: q.code, xml };
}

type StsDeps = Pick<ModuleDeps, "credentials" | "config" | "clock" | "random" | "logger" | "recordApiCall">;

export function stsRoute(deps: StsDeps): HttpRoute {
  return {
    matches: isStsRequest,
    async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const requestId = uuid(deps.random);
      const time = deps.clock.now();
      let status = 200;
      let xml: string;
      let action: string | undefined;
      let principal: Principal | undefined;
      let failure: AppRunnerError | undefined;
      let errorCode: string | undefined;
      try {
        const signed = await readSignedForm(req, {
          credentials: deps.credentials,
          signingName: SIGNING_NAME,
          region: deps.config.region,
          clock: deps.clock,
          maxBodyBytes: MAX_BODY_BYTES,
        });
        principal = signed.principal;
        const params = signed.params;
        action = params.get("Action") ?? undefined;
        const version = params.get("Version") ?? "";
        if (action !== "GetCallerIdentity" || version !== API_VERSION) {
          throw new AppRunnerError("UnknownOperation", `Could not find operation ${action ?? "(no Action)"} for version ${version || "(no Version)"}.`);
        }
        xml = callerIdentityXml(principal, requestId);
      } catch (err) {
        failure = asAppRunnerError(err);
        if (failure.code === "InternalServiceError") {
          deps.logger("internal error while handling an STS request", { requestId, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
        }
        discardBody(req);
        ({ status, xml, code: errorCode } = stsErrorXml(failure, requestId));
      }
      res.writeHead(status, { "Content-Type": "text/xml", "Content-Length": Buffer.byteLength(xml), "x-amzn-RequestId": requestId });
      res.end(xml);
      // CloudTrail records GetCallerIdentity like any other call (eventSource sts.amazonaws.com).
      deps.recordApiCall({
        api: STS_API,
        operation: action,
        requestId,
        time,
        sourceIp: req.socket.remoteAddress ?? "",
        userAgent: firstHeader(req, "user-agent"),
        accessKeyId: principal?.accessKeyId,
        input: {},
        output: undefined,
        errorCode,
        errorMessage: failure?.message,
      });
    },
  };
}

export function createStsModule(deps: ModuleDeps): ControlPlaneModule {
  return { name: "sts", routes: [stsRoute(deps)] };
}
