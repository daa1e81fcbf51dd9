import type {
  CreateObservabilityConfigurationRequest,
  DeleteObservabilityConfigurationRequest,
  DescribeObservabilityConfigurationRequest,
  ListObservabilityConfigurationsRequest,
  ObservabilityConfiguration,
} from "@aws-sdk/client-apprunner";
import { newResourceId, observabilityConfigurationArn } from "../../domain/arns.js";
import {
  deactivate,
  listRevisions,
  nextRevision,
  refreshLatest,
  requireActiveRevision,
  requireRevision,
  type RevisionedKind,
} from "../../domain/revisioned-configurations.js";
import type { ServiceDoc } from "../../domain/service-record.js";
import { invalidRequest } from "../../errors/app-runner-error.js";
import { handler, type OperationHandler } from "../../domain/api-context.js";
import { nextTokenField } from "../../protocol/paging.js";
import { epochSeconds, type Wire } from "../../protocol/wire.js";
import { checkTags } from "./common.js";

type ObservabilityDoc = Wire<ObservabilityConfiguration>;

const OBSERVABILITY: RevisionedKind = {
  kind: "observability-configuration",
  arnType: "observabilityconfiguration",
  label: "Observability configuration",
  // Upper case, as the model lists them: Terraform's AWS provider waits for `ACTIVE` here.
  statuses: { active: "ACTIVE", inactive: "INACTIVE" },
};

/** "The name DefaultConfiguration is reserved. You can't use it to create a new observability configuration" (API reference). */
const RESERVED_NAME = "DefaultConfiguration";

const createObservabilityConfiguration = handler<Wire<CreateObservabilityConfigurationRequest>>((input, ctx) => {
  const name = input.ObservabilityConfigurationName ?? "";
  if (name === RESERVED_NAME) {
    throw invalidRequest(`The name ${RESERVED_NAME} is reserved. Choose a different ObservabilityConfigurationName.`);
  }
  const tags = checkTags(ctx, input.Tags);
  return ctx.store.tx(() => {
    const revision = nextRevision(ctx, OBSERVABILITY, name, {
      names: ctx.config.quotas.observabilityConfigurationNames,
      revisionsPerName: ctx.config.quotas.observabilityConfigurationRevisions,
    });
    const arn = observabilityConfigurationArn(ctx.config, name, revision, newResourceId(ctx.random));
    const now = ctx.clock.now();
    const row = ctx.store.resources.insert<ObservabilityDoc, Record<string, never>>({
      arn,
      kind: OBSERVABILITY.kind,
      name,
      revision,
      status: OBSERVABILITY.statuses.active,
      createdAt: now,
      doc: {
        ObservabilityConfigurationArn: arn,
        ObservabilityConfigurationName: name,
        // "If you don't specify it, App Runner doesn't enable tracing": the member is simply absent.
        ...(input.TraceConfiguration ? { TraceConfiguration: input.TraceConfiguration } : {}),
        ObservabilityConfigurationRevision: revision,
        Latest: true,
        Status: "ACTIVE",
        CreatedAt: epochSeconds(now),
      },
    });
    refreshLatest(ctx, OBSERVABILITY, name);
    ctx.store.tags.put(arn, tags);
    return { ObservabilityConfiguration: row.doc };
  });
});

const describeObservabilityConfiguration = handler<Wire<DescribeObservabilityConfigurationRequest>>((input, ctx) => ({
  ObservabilityConfiguration: requireRevision<ObservabilityDoc>(ctx, OBSERVABILITY, input.ObservabilityConfigurationArn ?? "").doc,
}));

const listObservabilityConfigurations = handler<Wire<ListObservabilityConfigurationsRequest>>((input, ctx) => {
  const { items, nextToken } = listRevisions<ObservabilityDoc>(ctx, OBSERVABILITY, {
    ...(input.ObservabilityConfigurationName !== undefined ? { name: input.ObservabilityConfigurationName } : {}),
    ...(input.LatestOnly !== undefined ? { latestOnly: input.LatestOnly } : {}),
    ...(input.MaxResults !== undefined ? { maxResults: input.MaxResults } : {}),
    ...(input.NextToken !== undefined ? { nextToken: input.NextToken } : {}),
  });
  return {
    ObservabilityConfigurationSummaryList: items.map((r) => ({
      ObservabilityConfigurationArn: r.doc.ObservabilityConfigurationArn,
      ObservabilityConfigurationName: r.doc.ObservabilityConfigurationName,
      ObservabilityConfigurationRevision: r.doc.ObservabilityConfigurationRevision,
    })),
    ...nextTokenField(nextToken),
  };
});

const deleteObservabilityConfiguration = handler<Wire<DeleteObservabilityConfigurationRequest>>((input, ctx) =>
  ctx.store.tx(() => {
    const row = requireActiveRevision<ObservabilityDoc>(ctx, OBSERVABILITY, input.ObservabilityConfigurationArn ?? "");
    // "You can't delete a configuration that's used by one or more App Runner services." Services
    // always hold the full ARN (CreateService/UpdateService check it exactly), so equality suffices.
    const users = ctx.store.resources
      .list<ServiceDoc>({ kind: "service" })
      .filter((s) => s.doc.ObservabilityConfiguration?.ObservabilityConfigurationArn === row.arn);
    if (users.length > 0) {
      throw invalidRequest(`Observability configuration ${row.arn} is used by one or more services.`);
    }
    return { ObservabilityConfiguration: deactivate(ctx, OBSERVABILITY, row).doc };
  }),
);

export const observabilityOperations: Record<string, OperationHandler> = {
  CreateObservabilityConfiguration: createObservabilityConfiguration,
  DescribeObservabilityConfiguration: describeObservabilityConfiguration,
  ListObservabilityConfigurations: listObservabilityConfigurations,
  DeleteObservabilityConfiguration: deleteObservabilityConfiguration,
};
