import type { SecretRow } from "../../store/secrets/secret-store.js";
import { isGone, isScheduledForDeletion } from "../deletion.js";
import { checkFilters, matchesFilters, type SecretFilter } from "../filters.js";
import { stagesByVersion } from "../stages.js";
import { secretMetadata, type SecretsHandler } from "./env.js";
import { pageOf } from "./paging.js";

interface ListSecretsInput {
  IncludePlannedDeletion?: boolean;
  MaxResults?: number;
  NextToken?: string;
  Filters?: SecretFilter[];
  SortOrder?: "asc" | "desc";
  SortBy?: "created-date" | "last-accessed-date" | "last-changed-date" | "name";
}

const sortKey = (by: ListSecretsInput["SortBy"], s: SecretRow): number | string => {
  switch (by) {
    case "name":
      return s.name;
    case "last-accessed-date":
      return s.lastAccessedAt ?? 0;
    case "last-changed-date":
      return s.lastChangedAt;
    default:
      return s.createdAt;
  }
};

/** ListSecrets' order: SortBy (created-date by default), descending unless asc is asked; ARN breaks ties so pages are stable. */
export function sortSecrets(secrets: readonly SecretRow[], by: ListSecretsInput["SortBy"], order: ListSecretsInput["SortOrder"]): SecretRow[] {
  const sign = order === "asc" ? 1 : -1;
  return [...secrets].sort((a, b) => {
    const ka = sortKey(by, a);
    const kb = sortKey(by, b);
    if (ka !== kb) return (ka < kb ? -1 : 1) * sign;
    return a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0;
  });
}

const listSecrets: SecretsHandler = (raw, ctx, env) => {
  const input = raw as ListSecretsInput;
  const filters = input.Filters ?? [];
  checkFilters(filters);
  const now = ctx.clock.now();
  const visible = env.secrets
    .list()
    .filter((s) => !isGone(s, now) && (input.IncludePlannedDeletion === true || !isScheduledForDeletion(s, now)))
    .map((s) => ({ secret: s, tags: ctx.store.tags.list(s.arn) }))
    .filter(({ secret, tags }) => matchesFilters(filters, { name: secret.name, description: secret.description, tags, region: ctx.config.region }));
  const tagsOf = new Map(visible.map((v) => [v.secret.arn, v.tags]));
  const page = pageOf(
    sortSecrets(
      visible.map((v) => v.secret),
      input.SortBy,
      input.SortOrder,
    ),
    input.NextToken,
    input.MaxResults,
  );
  return {
    SecretList: page.items.map((s) => {
      const stages = stagesByVersion(env.secrets.stages(s.arn));
      return { ...secretMetadata(s, tagsOf.get(s.arn) ?? []), ...(Object.keys(stages).length > 0 ? { SecretVersionsToStages: stages } : {}) };
    }),
    ...(page.nextToken !== undefined ? { NextToken: page.nextToken } : {}),
  };
};

export const listOperations: Record<string, SecretsHandler> = { ListSecrets: listSecrets };
