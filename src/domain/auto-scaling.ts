import type { AutoScalingConfiguration } from "@aws-sdk/client-apprunner";
import type { ApiDeps } from "../api/context.js";
import type { Wire } from "../api/wire.js";
import { epochSeconds } from "../api/wire.js";
import { invalidRequest } from "../errors/app-runner-error.js";
import type { ResourceRow } from "../store/resources.js";
import { autoScalingConfigurationArn, parseArn } from "./arns.js";

export type AutoScalingDoc = Wire<AutoScalingConfiguration>;
export type AutoScalingRow = ResourceRow<AutoScalingDoc>;

export const DEFAULT_AUTO_SCALING_NAME = "DefaultConfiguration";
/** App Runner's DefaultConfiguration always has this id (developer guide examples). */
export const DEFAULT_AUTO_SCALING_ID = "00000000000000000000000000000001";
export const DEFAULT_AUTO_SCALING = { MaxConcurrency: 100, MinSize: 1, MaxSize: 25 } as const;

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
    status: "ACTIVE",
    createdAt: now,
    doc: {
      AutoScalingConfigurationArn: arn,
      AutoScalingConfigurationName: DEFAULT_AUTO_SCALING_NAME,
      AutoScalingConfigurationRevision: 1,
      Latest: true,
      Status: "ACTIVE",
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
 * Resolves an AutoScalingConfigurationArn as App Runner does: a full ARN names one revision;
 * an ARN that ends at the name (or name/revision) means that name's latest (or that) revision.
 */
export function resolveAutoScalingConfiguration(deps: Pick<ApiDeps, "store">, arn: string): AutoScalingRow {
  const exact = deps.store.resources.get<AutoScalingDoc>(arn);
  if (exact && exact.kind === "auto-scaling-configuration") {
    if (exact.deletedAt !== null) throw invalidRequest(`Auto scaling configuration ${arn} is inactive.`);
    return exact;
  }
  const parsed = parseArn(arn);
  if (parsed?.resourceType === "autoscalingconfiguration" && parsed.parts.length <= 2) {
    const [name, rev] = parsed.parts;
    const rows = deps.store.resources
      .list<AutoScalingDoc>({ kind: "auto-scaling-configuration", name: name ?? "" })
      .filter((r) => rev === undefined || String(r.revision) === rev)
      .sort((a, b) => b.revision - a.revision);
    if (rows[0]) return rows[0];
  }
  throw invalidRequest(`Auto scaling configuration not found: ${arn}`);
}

export function autoScalingSummary(row: AutoScalingRow, hasAssociatedService: boolean): AutoScalingDoc {
  return {
    AutoScalingConfigurationArn: row.doc.AutoScalingConfigurationArn,
    AutoScalingConfigurationName: row.doc.AutoScalingConfigurationName,
    AutoScalingConfigurationRevision: row.doc.AutoScalingConfigurationRevision,
    Status: row.doc.Status,
    CreatedAt: row.doc.CreatedAt,
    HasAssociatedService: hasAssociatedService,
    IsDefault: row.doc.IsDefault,
  };
}
