import type {
  CreateAutoScalingConfigurationRequest,
  DeleteAutoScalingConfigurationRequest,
  DescribeAutoScalingConfigurationRequest,
  ListAutoScalingConfigurationsRequest,
  ListServicesForAutoScalingConfigurationRequest,
  UpdateDefaultAutoScalingConfigurationRequest,
} from "@aws-sdk/client-apprunner";
import { autoScalingConfigurationArn, newResourceId, parseArn } from "../../domain/arns.js";
import {
  AUTO_SCALING,
  AUTO_SCALING_STATUS,
  DEFAULT_AUTO_SCALING,
  DEFAULT_AUTO_SCALING_NAME,
  autoScalingArnsInUse,
  autoScalingSummary,
  describeAutoScaling,
  setDefaultAutoScalingName,
  type AutoScalingDoc,
  type AutoScalingRow,
} from "../../domain/auto-scaling.js";
import type { ServiceDoc } from "../../domain/service-record.js";
import {
  activeRevisions,
  deactivate,
  listRevisions,
  nextRevision,
  pageBySeq,
  refreshLatest,
  requireActiveRevision,
  requireRevision,
} from "../../domain/revisioned-configurations.js";
import { invalidRequest } from "../../errors/app-runner-error.js";
import { handler, type OperationHandler, type RequestContext } from "../../domain/api-context.js";
import { nextTokenField } from "../../protocol/paging.js";
import { epochSeconds, type Wire } from "../../protocol/wire.js";
import { checkTags } from "./common.js";

const createAutoScalingConfiguration = handler<Wire<CreateAutoScalingConfigurationRequest>>((input, ctx) => {
  const name = input.AutoScalingConfigurationName ?? "";
  const MaxConcurrency = input.MaxConcurrency ?? DEFAULT_AUTO_SCALING.MaxConcurrency;
  const MinSize = input.MinSize ?? DEFAULT_AUTO_SCALING.MinSize;
  const MaxSize = input.MaxSize ?? DEFAULT_AUTO_SCALING.MaxSize;
  // The model bounds each value alone; only their relation is left to check here.
  if (MinSize > MaxSize) throw invalidRequest(`MinSize (${MinSize}) can't be greater than MaxSize (${MaxSize}).`);
  const tags = checkTags(ctx, input.Tags);
  return ctx.store.tx(() => {
    // DefaultConfiguration is provided by App Runner, and the name quota counts "unique names ...
    // in auto scaling configurations that you create", so it does not take one of the ten.
    const revision = nextRevision(ctx, AUTO_SCALING, name, {
      names: ctx.config.quotas.autoScalingConfigurationNames,
      revisionsPerName: ctx.config.quotas.autoScalingConfigurationRevisions,
      providedName: DEFAULT_AUTO_SCALING_NAME,
    });
    // The default is held by a name, so a new revision of the default name is default too.
    const isDefault = activeRevisions<AutoScalingDoc>(ctx, AUTO_SCALING, name).some((r) => r.doc.IsDefault === true);
    const arn = autoScalingConfigurationArn(ctx.config, name, revision, newResourceId(ctx.random));
    const now = ctx.clock.now();
    const row = ctx.store.resources.insert<AutoScalingDoc, Record<string, never>>({
      arn,
      kind: AUTO_SCALING.kind,
      name,
      revision,
      status: AUTO_SCALING.statuses.active,
      createdAt: now,
      doc: {
        AutoScalingConfigurationArn: arn,
        AutoScalingConfigurationName: name,
        AutoScalingConfigurationRevision: revision,
        Latest: true,
        Status: AUTO_SCALING_STATUS.active,
        MaxConcurrency,
        MinSize,
        MaxSize,
        CreatedAt: epochSeconds(now),
        IsDefault: isDefault,
      },
    });
    refreshLatest(ctx, AUTO_SCALING, name);
    ctx.store.tags.put(arn, tags);
    return { AutoScalingConfiguration: describeAutoScaling(row, new Map()) };
  });
});

const describeAutoScalingConfiguration = handler<Wire<DescribeAutoScalingConfigurationRequest>>((input, ctx) => {
  const row = requireRevision<AutoScalingDoc>(ctx, AUTO_SCALING, input.AutoScalingConfigurationArn ?? "");
  return { AutoScalingConfiguration: describeAutoScaling(row, autoScalingArnsInUse(ctx)) };
});

const listAutoScalingConfigurations = handler<Wire<ListAutoScalingConfigurationsRequest>>((input, ctx) => {
  const { items, nextToken } = listRevisions<AutoScalingDoc>(ctx, AUTO_SCALING, {
    ...(input.AutoScalingConfigurationName !== undefined ? { name: input.AutoScalingConfigurationName } : {}),
    ...(input.LatestOnly !== undefined ? { latestOnly: input.LatestOnly } : {}),
    ...(input.MaxResults !== undefined ? { maxResults: input.MaxResults } : {}),
    ...(input.NextToken !== undefined ? { nextToken: input.NextToken } : {}),
  });
  const inUse = autoScalingArnsInUse(ctx);
  return {
    AutoScalingConfigurationSummaryList: items.map((r) => autoScalingSummary(r, inUse.has(r.arn))),
    ...nextTokenField(nextToken),
  };
});

/** The revisions a delete request names: one, or with DeleteAllRevisions every active one of the name. */
function revisionsToDelete(ctx: RequestContext, arn: string, all: boolean): AutoScalingRow[] {
  if (!all) return [requireActiveRevision<AutoScalingDoc>(ctx, AUTO_SCALING, arn)];
  // "When DeleteAllRevisions is set to true, the only valid value for the ARN is a partial ARN ending with: .../name."
  const parsed = parseArn(arn);
  if (parsed?.resourceType !== AUTO_SCALING.arnType || parsed.parts.length !== 1) {
    throw invalidRequest("With DeleteAllRevisions, AutoScalingConfigurationArn must be a partial ARN that ends with the configuration name.");
  }
  const latest = requireRevision<AutoScalingDoc>(ctx, AUTO_SCALING, arn);
  return activeRevisions<AutoScalingDoc>(ctx, AUTO_SCALING, latest.name);
}

const deleteAutoScalingConfiguration = handler<Wire<DeleteAutoScalingConfigurationRequest>>((input, ctx) =>
  ctx.store.tx(() => {
    const arn = input.AutoScalingConfigurationArn ?? "";
    const rows = revisionsToDelete(ctx, arn, input.DeleteAllRevisions === true);
    const inUse = autoScalingArnsInUse(ctx);
    for (const r of rows) {
      // "You can't delete the default auto scaling configuration or a configuration that's used by one or more App Runner services."
      if (r.doc.IsDefault === true) {
        throw invalidRequest(`Auto scaling configuration ${r.arn} is the default; make another configuration the default first.`);
      }
      if (inUse.has(r.arn)) throw invalidRequest(`Auto scaling configuration ${r.arn} is used by one or more services.`);
    }
    const deleted = rows.map((r) => deactivate(ctx, AUTO_SCALING, r));
    // With all revisions, answer with the one a partial ARN names: the latest.
    const shown = deleted.sort((a, b) => b.revision - a.revision)[0];
    return { AutoScalingConfiguration: shown ? describeAutoScaling(shown, inUse) : {} };
  }),
);

const updateDefaultAutoScalingConfiguration = handler<Wire<UpdateDefaultAutoScalingConfigurationRequest>>((input, ctx) =>
  ctx.store.tx(() => {
    const row = requireActiveRevision<AutoScalingDoc>(ctx, AUTO_SCALING, input.AutoScalingConfigurationArn ?? "");
    setDefaultAutoScalingName(ctx, row.name);
    const updated = requireRevision<AutoScalingDoc>(ctx, AUTO_SCALING, row.arn);
    return { AutoScalingConfiguration: describeAutoScaling(updated, autoScalingArnsInUse(ctx)) };
  }),
);

const listServicesForAutoScalingConfiguration = handler<Wire<ListServicesForAutoScalingConfigurationRequest>>((input, ctx) => {
  const row = requireRevision<AutoScalingDoc>(ctx, AUTO_SCALING, input.AutoScalingConfigurationArn ?? "");
  const services = ctx.store.resources
    .list<ServiceDoc>({ kind: "service" })
    .filter((s) => s.doc.AutoScalingConfigurationSummary?.AutoScalingConfigurationArn === row.arn);
  const { items, nextToken } = pageBySeq(services, input.NextToken, input.MaxResults);
  return { ServiceArnList: items.map((s) => s.arn), ...nextTokenField(nextToken) };
});

export const autoScalingOperations: Record<string, OperationHandler> = {
  CreateAutoScalingConfiguration: createAutoScalingConfiguration,
  DescribeAutoScalingConfiguration: describeAutoScalingConfiguration,
  ListAutoScalingConfigurations: listAutoScalingConfigurations,
  DeleteAutoScalingConfiguration: deleteAutoScalingConfiguration,
  UpdateDefaultAutoScalingConfiguration: updateDefaultAutoScalingConfiguration,
  ListServicesForAutoScalingConfiguration: listServicesForAutoScalingConfiguration,
};
