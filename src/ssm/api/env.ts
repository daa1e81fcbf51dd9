import type { ApiDeps, RequestContext } from "../../domain/api-context.js";
import type { CallFacts } from "../../iam/authorization.js";
import type { EnvHandler } from "../../protocol/context.js";
import type { ParameterVersionRow } from "../../store/parameters/parameter-store.js";
import type { Parameters } from "../parameters.js";

/** What Parameter Store's operations share beyond the request context. */
export interface SsmEnv {
  parameters: Parameters;
}

export type SsmHandler = EnvHandler<ApiDeps, SsmEnv>;

/** The call's facts for the KMS checks made on the caller's behalf (the endpoint's, or now). */
export const callFactsOf = (ctx: RequestContext): CallFacts => ctx.call ?? { sourceIp: "", secureTransport: false, time: ctx.clock.now() };

/** A version as DescribeParameters lists it (ParameterMetadata): everything but the value. */
export function metadataOf(row: ParameterVersionRow, arn: string): Record<string, unknown> {
  return {
    Name: row.name,
    ARN: arn,
    Type: row.type,
    ...(row.keyId !== undefined ? { KeyId: row.keyId } : {}),
    LastModifiedDate: row.modifiedAt / 1000,
    LastModifiedUser: row.modifiedUser,
    ...(row.description !== undefined ? { Description: row.description } : {}),
    ...(row.allowedPattern !== undefined ? { AllowedPattern: row.allowedPattern } : {}),
    Version: row.version,
    Tier: row.tier,
    Policies: [],
    DataType: row.dataType,
  };
}
