import type { AutoScalingConfiguration, AutoScalingConfigurationSummary } from "@aws-sdk/client-apprunner";
import type { ApiDeps } from "./api-context.js";
import type { Wire } from "../protocol/wire.js";
import { epochSeconds } from "../protocol/wire.js";
import { invalidRequest } from "../errors/app-runner-error.js";
import type { ResourceRow } from "../store/resources.js";
import { autoScalingConfigurationArn } from "./arns.js";
import { findRevision, type RevisionedKind } from "./revisioned-configurations.js";
import type { ServiceDoc } from "./service-record.js";

/**
 * App Runner sends an auto scaling configuration's status in lower case, `active` or `inactive`,
 * although its model (and so every SDK's enum) lists `ACTIVE | INACTIVE`; clients compare with
 * what the service sends (Terraform's AWS provider waits for `active`).
 */
export const AUTO_SCALING_STATUS = { active: "active", inactive: "inactive" } as const;
export type AutoScalingStatus = (typeof AUTO_SCALING_STATUS)[keyof typeof AUTO_SCALING_STATUS];

export type AutoScalingDoc = Omit<Wire<AutoScalingConfiguration>, "Status"> & { Status?: AutoScalingStatus };
export type AutoScalingSummaryDoc = Omit<Wire<AutoScalingConfigurationSummary>, "Status"> & { Status?: AutoScalingStatus };
export type AutoScalingRow = ResourceRow<AutoScalingDoc>;

export const DEFAULT_AUTO_SCALING_NAME = "DefaultConfiguration";
/** App Runner's DefaultConfiguration always has this id (developer guide examples). */
export const DEFAULT_AUTO_SCALING_ID = "00000000000000000000000000000001";
export const DEFAULT_AUTO_SCALING = { MaxConcurrency: 100, MinSize: 1, MaxSize: 25 } as const;

export const AUTO_SCALING: RevisionedKind = {
  kind: "auto-scaling-configuration",
  arnType: "autoscalingconfiguration",
  label: "Auto scaling configuration",
  statuses: AUTO_SCALING_STATUS,
};

/** DefaultConfiguration exists from the start, as in every App Runner account. */
export function ensureDefaultAutoScalingConfiguration(deps: Pick<ApiDeps, "store" | "clock" | "config">): void {
  const { store, clock, config } = deps;
  const arn = autoScalingConfigurationArn(config, DEFAULT_AUTO_SCALING_NAME, 1, DEFAULT_AUTO_SCALING_ID);
  if (store.resources.get(arn)) return;
  const now = clock.now();
  store.resources.insert<AutoScalingDoc, Record<string, never>>({
    arn,
    kind: "auto-scaling-configuration",
    name: DEFAULT_AUTO_SCALING_NAME,
    revision: 1,
    status: AUTO_SCALING_STATUS.active,
    createdAt: now,
    doc: {
      AutoScalingConfigurationArn: arn,
      AutoScalingConfigurationName: DEFAULT_AUTO_SCALING_NAME,
      AutoScalingConfigurationRevision: 1,
      Latest: true,
      Status: AUTO_SCALING_STATUS.active,
      ...DEFAULT_AUTO_SCALING,
      CreatedAt: epochSeconds(now),
      IsDefault: true,
    },
  });
}

/** The configuration marked IsDefault (the latest revision of the default name). */
export function defaultAutoScalingConfiguration(deps: Pick<ApiDeps, "store">): AutoScalingRow {
  const rows = deps.store.resources.list<AutoScalingDoc>({ kind: "auto-scaling-configuration" });
  const row = rows.filter((r) => r.doc.IsDefault === true).sort((a, b) => b.revision - a.revision)[0];
  if (!row) throw new Error("no default auto scaling configuration: the store was not initialized");
  return row;
}

/**
 * Resolves an AutoScalingConfigurationArn given to CreateService/UpdateService: a full ARN names one
 * revision; an ARN that ends at the name (or name/revision) means that name's latest active (or
 * that) revision. A service can only use an ACTIVE revision.
 */
export function resolveAutoScalingConfiguration(deps: Pick<ApiDeps, "store" | "config">, arn: string): AutoScalingRow {
  const row = findRevision<AutoScalingDoc>(deps, AUTO_SCALING, arn);
  if (!row) throw invalidRequest(`Auto scaling configuration not found: ${arn}`);
  if (row.deletedAt !== null) throw invalidRequest(`Auto scaling configuration ${arn} is inactive.`);
  return row;
}

/** The ARNs of the revisions that live (not deleted) services use, computed when asked. */
export function autoScalingArnsInUse(deps: Pick<ApiDeps, "store">): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const s of deps.store.resources.list<ServiceDoc>({ kind: "service" })) {
    const arn = s.doc.AutoScalingConfigurationSummary?.AutoScalingConfigurationArn;
    if (arn) used.set(arn, [...(used.get(arn) ?? []), s.arn]);
  }
  return used;
}

/**
 * The status a revision is in, from whether it was deleted: data directories written before
 * statuses were sent in App Runner's case still hold `ACTIVE`/`INACTIVE` in their documents.
 */
function statusOf(row: AutoScalingRow): AutoScalingStatus {
  return row.deletedAt === null ? AUTO_SCALING_STATUS.active : AUTO_SCALING_STATUS.inactive;
}

/** The full description, with HasAssociatedService computed live rather than stored. */
export function describeAutoScaling(row: AutoScalingRow, inUse: ReadonlyMap<string, unknown>): AutoScalingDoc {
  return { ...row.doc, Status: statusOf(row), HasAssociatedService: inUse.has(row.arn) };
}

/**
 * Makes every active revision of `name` the default and clears the flag everywhere else: "The
 * existing default auto scaling configuration will be set to non-default automatically". The
 * default is held per name, so new services get the name's latest revision; the caller holds the
 * transaction.
 */
export function setDefaultAutoScalingName(deps: Pick<ApiDeps, "store">, name: string): void {
  for (const r of deps.store.resources.list<AutoScalingDoc>({ kind: AUTO_SCALING.kind })) {
    const isDefault = r.name === name;
    if (r.doc.IsDefault !== isDefault) {
      r.doc = { ...r.doc, IsDefault: isDefault };
      deps.store.resources.update(r);
    }
  }
}

export function autoScalingSummary(row: AutoScalingRow, hasAssociatedService: boolean): AutoScalingSummaryDoc {
  return {
    AutoScalingConfigurationArn: row.doc.AutoScalingConfigurationArn,
    AutoScalingConfigurationName: row.doc.AutoScalingConfigurationName,
    AutoScalingConfigurationRevision: row.doc.AutoScalingConfigurationRevision,
    Status: statusOf(row),
    CreatedAt: row.doc.CreatedAt,
    HasAssociatedService: hasAssociatedService,
    IsDefault: row.doc.IsDefault,
  };
}
