import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import { awsQueryService } from "../protocol/http/aws-query.js";
import { discardBody } from "../util/request-body.js";
import { readSignedForm } from "../protocol/query/signed-form.js";
import { handler } from "../protocol/context.js";
import type { AwsJsonApi } from "../protocol/service-registry.js";
import { AppRunnerError, asAppRunnerError } from "../errors/app-runner-error.js";
import type { HttpRoute, ModuleDeps } from "../modules.js";
import { recordQueryCall, sendQueryXml } from "../protocol/query/answer.js";
import { queryErrorOf } from "../protocol/query/error-codes.js";
import { escapeXml } from "../protocol/query/escape-xml.js";
import { uuid } from "../util/random.js";
import type { Principal } from "../iam/principal.js";
import type { RoleDirectory } from "../iam/roles.js";
import { assumeRole } from "./assume-role.js";
import { getCallerIdentity } from "./get-caller-identity.js";
import { getSessionToken } from "./get-session-token.js";
import type { StsDeps, StsOperation } from "./operation.js";
import { responseXml, STS_XML_NAMESPACE } from "./xml.js";

/*
 * STS over awsQuery, as every SDK and CLI sends it: a form-encoded POST signed for `sts`, XML
 * answers. GetCallerIdentity (Terraform's AWS provider learns the account id with it),
 * GetSessionToken and AssumeRole; each operation is a file of this folder.
 */

const SIGNING_NAME = "sts";
/** AssumeRole's largest real request (50 session tags of 128+256 characters, URL-encoded) stays well under this. */
const MAX_BODY_BYTES = 64 * 1024;
const API_VERSION = "2011-06-15";
/** STS is a global service: clients sign for us-east-1 unless told to use a regional endpoint. */
const GLOBAL_REGION = "us-east-1";

const OPERATIONS: Readonly<Record<string, StsOperation>> = {
  AssumeRole: assumeRole,
  GetCallerIdentity: getCallerIdentity,
  GetSessionToken: getSessionToken,
};

const queryOnly = handler(() => {
  throw new AppRunnerError("UnknownOperation", "STS is served over the awsQuery protocol only.");
});

/**
 * STS as the audit trail files its calls (eventSource sts.amazonaws.com). Only the awsQuery
 * route below serves it; the entry names the operations it serves, since the trail records
 * only those. Secrets are hidden by their names (SessionToken; SecretAccessKey is never given
 * to the trail).
 */
export const STS_API: AwsJsonApi = {
  targetPrefix: "AWSSecurityTokenServiceV20110615",
  signingName: SIGNING_NAME,
  jsonVersion: "1.0",
  trailRedaction: "names",
  operations: Object.fromEntries(Object.keys(OPERATIONS).map((name) => [name, queryOnly])),
};

/** A form-encoded POST signed for `sts` (unsigned ones are CloudWatch's to refuse). */
export function isStsRequest(req: IncomingMessage): boolean {
  return awsQueryService(req) === SIGNING_NAME;
}

/** An awsQuery error with STS's codes for authentication failures (InvalidClientTokenId, SignatureDoesNotMatch, ExpiredToken, ...). */
export function stsErrorXml(err: AppRunnerError, requestId: string): { status: number; code: string; xml: string } {
  const q = queryErrorOf(err);
  const xml =
    `<ErrorResponse xmlns="${STS_XML_NAMESPACE}">` +
    `<Error><Type>${q.type}</Type><Code>${escapeXml(q.code)}</Code><Message>${escapeXml(err.message)}</Message></Error>` +
    `<RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`;
  return { status: q.status, code: q.code, xml };
}

type RouteDeps = Pick<ModuleDeps, "store" | "credentials" | "authorizer" | "config" | "clock" | "random" | "logger" | "admitApiCall" | "recordApiCall"> & {
  roles?: RoleDirectory;
};

/** Until IAM roles are wired in, no role exists to assume. */
const NO_ROLES: RoleDirectory = { roleByArn: () => undefined };

export function stsRoute(deps: RouteDeps): HttpRoute {
  const stsDeps: StsDeps = {
    accountId: deps.config.accountId,
    clock: deps.clock,
    random: deps.random,
    sessions: deps.store.sessions,
    roles: deps.roles ?? NO_ROLES,
    authorizer: deps.authorizer,
  };
  return {
    matches: isStsRequest,
    async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const requestId = uuid(deps.random);
      const time = deps.clock.now();
      let status = 200;
      let xml: string;
      let action: string | undefined;
      let principal: Principal | undefined;
      let input: Record<string, unknown> | undefined;
      let output: Record<string, unknown> | undefined;
      let failure: AppRunnerError | undefined;
      let errorCode: string | undefined;
      try {
        const signed = await readSignedForm(req, {
          credentials: deps.credentials,
          signingName: SIGNING_NAME,
          region: deps.config.region,
          alsoRegions: [GLOBAL_REGION],
          clock: deps.clock,
          maxBodyBytes: MAX_BODY_BYTES,
        });
        principal = signed.principal;
        const params = signed.params;
        action = params.get("Action") ?? undefined;
        const version = params.get("Version") ?? "";
        const operation = action !== undefined && Object.hasOwn(OPERATIONS, action) ? OPERATIONS[action] : undefined;
        if (action === undefined || !operation || version !== API_VERSION) {
          throw new AppRunnerError("UnknownOperation", `Could not find operation ${action ?? "(no Action)"} for version ${version || "(no Version)"}.`);
        }
        input = operation.trailInput(params);
        deps.admitApiCall({ api: STS_API, operation: action, requestId, input });
        // STS authorizes its own calls: GetCallerIdentity and GetSessionToken need no permission
        // (as in AWS), AssumeRole is decided by the role's trust policy with the caller's policies.
        const facts = { sourceIp: req.socket.remoteAddress ?? "", secureTransport: (req.socket as Partial<TLSSocket>).encrypted === true, time };
        const result = operation.run({ principal, params, facts }, stsDeps);
        output = result.output;
        xml = responseXml(action, result.resultXml, requestId);
      } catch (err) {
        failure = asAppRunnerError(err);
        if (failure.code === "InternalServiceError") {
          deps.logger("internal error while handling an STS request", { requestId, operation: action, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
        }
        discardBody(req);
        ({ status, xml, code: errorCode } = stsErrorXml(failure, requestId));
      }
      sendQueryXml(res, status, xml, requestId);
      recordQueryCall(deps.recordApiCall, req, {
        api: STS_API,
        operation: action,
        requestId,
        time,
        accessKeyId: principal?.accessKeyId,
        input: input ?? {},
        output,
        errorCode,
        errorMessage: failure?.message,
      });
    },
  };
}
