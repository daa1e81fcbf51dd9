import type { IncomingMessage } from "node:http";
import { completeHandshake } from "../../domain/connection-handshake.js";
import { invalidRequest } from "../../errors/app-runner-error.js";
import { SecretBox } from "../../iam/secret-box.js";
import type { CredentialLookup } from "../../iam/sigv4/verify.js";
import type { HttpRoute } from "../../modules.js";
import type { ApiDeps } from "../context.js";
import { createAwsJsonHandler } from "../http/aws-json-handler.js";
import type { ApiCallListener, AwsJsonApi } from "../service-registry.js";

/** `X-Amz-Target: OpenRunner.<Operation>`: OpenRunner's own operations, beside App Runner's. */
export const OPENRUNNER_TARGET_PREFIX = "OpenRunner";
export const COMPLETE_CONNECTION_HANDSHAKE = "CompleteConnectionHandshake";

/** Longer than any GitHub token or Bitbucket app password; a bound on what gets sealed. */
const MAX_TOKEN_LENGTH = 4096;

/**
 * OpenRunner's own AWS JSON 1.0 API. Signed as `apprunner` (the console and SDK signers need
 * nothing new) and recorded in the audit trail as apprunner.amazonaws.com. It has no model:
 * input is checked here, and the trail hides the `Token` member by name (redact-unmodeled.ts).
 */
export function openRunnerApi(box: () => SecretBox): AwsJsonApi {
  return {
    targetPrefix: OPENRUNNER_TARGET_PREFIX,
    signingName: "apprunner",
    jsonVersion: "1.0",
    operations: {
      /**
       * The console's "Complete handshake": `{ ConnectionArn, Token }` -> `{ Connection }`.
       * The token is sealed with the data directory's key and never returned or logged.
       */
      [COMPLETE_CONNECTION_HANDSHAKE]: (input, ctx) => {
        const { ConnectionArn: arn, Token: token } = input;
        if (typeof arn !== "string" || arn === "") throw invalidRequest("ConnectionArn is required.");
        if (token !== undefined && token !== null && typeof token !== "string") throw invalidRequest("Token must be a string.");
        if (typeof token === "string" && token.length > MAX_TOKEN_LENGTH) {
          throw invalidRequest(`The provider token is longer than ${MAX_TOKEN_LENGTH} characters.`);
        }
        return { Connection: completeHandshake(ctx, box(), arn, token ?? "") };
      },
    },
  };
}

export interface CompleteHandshakeRouteOptions {
  deps: ApiDeps;
  dataDir: string;
  credentials: CredentialLookup;
  onCall?: ApiCallListener;
  logger: (message: string, fields?: Record<string, unknown>) => void;
}

const targetOf = (req: IncomingMessage): string => {
  const t = req.headers["x-amz-target"];
  return (Array.isArray(t) ? t[0] : t) ?? "";
};

/**
 * Serves OpenRunner's API on the shared endpoint: requests whose X-Amz-Target names it go
 * through the same AWS JSON handler as App Runner's (SigV4 verification, errors, audit trail).
 */
export function completeHandshakeRoute(opts: CompleteHandshakeRouteOptions): HttpRoute {
  let box: SecretBox | undefined;
  // Loaded (or created) on first use, like the CLI does: a server never asked needs no key file.
  const api = openRunnerApi(() => (box ??= SecretBox.forDataDir(opts.dataDir)));
  const handle = createAwsJsonHandler({ deps: opts.deps, apis: [api], credentials: opts.credentials, onCall: opts.onCall, logger: opts.logger });
  return {
    matches: (req) => targetOf(req).startsWith(`${OPENRUNNER_TARGET_PREFIX}.`),
    handle,
  };
}
