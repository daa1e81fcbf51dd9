import type { ApiDeps, RequestContext } from "../../domain/api-context.js";
import type { KeyService } from "../../keys/key-service.js";
import type { EnvHandler } from "../../protocol/context.js";
import type { SecretRow, SecretStore } from "../../store/secrets/secret-store.js";
import type { Tag } from "../../store/tags.js";
import type { Here } from "../lookup.js";
import type { Caller } from "../vault.js";

/** What the Secrets Manager operations share beyond the request context. */
export interface SecretsEnv {
  secrets: SecretStore;
  /** KMS's keys; absent: no KMS, so no value can be written or read. */
  keys: KeyService | undefined;
  logger: (message: string, fields?: Record<string, unknown>) => void;
}

export type SecretsHandler = EnvHandler<ApiDeps, SecretsEnv>;

export const hereOf = (ctx: RequestContext): Here => ({ region: ctx.config.region, accountId: ctx.config.accountId });

/** The caller as KMS authorizes its use of a customer managed key (the handler does not see the source address). */
export const callerOf = (ctx: RequestContext, now: number): Caller => ({ principal: ctx.principal, call: { sourceIp: "", secureTransport: false, time: now } });

/** Timestamps on the wire: epoch seconds. */
export const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

/** What DescribeSecret and a ListSecrets entry both say of a secret (each adds its versions' labels under its own name). */
export function secretMetadata(s: SecretRow, tags: readonly Tag[]): Record<string, unknown> {
  return {
    ARN: s.arn,
    Name: s.name,
    Description: s.description,
    // Omitted for the AWS managed key, as AWS does.
    KmsKeyId: s.kmsKeyId,
    LastChangedDate: seconds(s.lastChangedAt),
    LastAccessedDate: seconds(s.lastAccessedAt),
    DeletedDate: seconds(s.deletedAt),
    ...(tags.length > 0 ? { Tags: tags } : {}),
    CreatedDate: seconds(s.createdAt),
  };
}
