import type {
  CreateServiceRequest,
  DescribeServiceRequest,
  ListServicesRequest,
  UpdateServiceRequest,
} from "@aws-sdk/client-apprunner";
import { newResourceId, newUrlLabel, serviceArn } from "../../domain/arns.js";
import { autoScalingSummary, defaultAutoScalingConfiguration, resolveAutoScalingConfiguration, type AutoScalingDoc } from "../../domain/auto-scaling.js";
import { resolveCpuMemory } from "../../domain/instance-configuration.js";
import { DEFAULT_OBSERVABILITY, withHealthCheckDefaults, withNetworkDefaults } from "../../domain/service-defaults.js";
import type { ServiceDoc, ServiceInternal, ServiceRow } from "../../domain/service-record.js";
import { assertCanStart, checkServiceReferences, checkSourceConfiguration } from "../../domain/service-rules.js";
import type { PreviousConfiguration } from "../../engine/reconcilers/deploy.js";
import { invalidRequest, notFound, quotaExceeded } from "../../errors/app-runner-error.js";
import type { OperationType } from "../../store/operations.js";
import { ServiceEventRecorder } from "../../telemetry/service-events.js";
import { uuid } from "../../util/random.js";
import { handler, type ApiDeps, type OperationHandler, type RequestContext } from "../../protocol/context.js";
import { listPage } from "../../protocol/paging.js";
import { epochSeconds, type Wire } from "../../protocol/wire.js";
import { checkTags, requireService } from "./common.js";

/** Records a new operation for the service and wakes the engine; the caller holds the transaction. */
function enqueue(ctx: ApiDeps, s: ServiceRow, type: OperationType, state: Record<string, unknown> = {}): string {
  const id = uuid(ctx.random);
  ctx.store.operations.insert({
    id,
    serviceArn: s.arn,
    type,
    status: "PENDING",
    startedAt: ctx.clock.now(),
    state: { phase: "start", ...state },
  });
  return id;
}

/** The service shows OPERATION_IN_PROGRESS from the moment an operation is accepted, with its event. */
function markInProgress(ctx: ApiDeps, s: ServiceRow): void {
  const previous = s.status;
  new ServiceEventRecorder(ctx.store, ctx.config, ctx.clock, ctx.random).serviceStatus(
    { name: s.name, id: s.doc.ServiceId ?? "", arn: s.arn },
    previous,
    "OPERATION_IN_PROGRESS",
  );
  s.status = "OPERATION_IN_PROGRESS";
  s.doc = { ...s.doc, Status: "OPERATION_IN_PROGRESS", UpdatedAt: epochSeconds(ctx.clock.now()) };
  ctx.store.resources.update(s);
}

function withLiveSummary(ctx: RequestContext, s: ServiceRow): ServiceDoc {
  const ascArn = s.doc.AutoScalingConfigurationSummary?.AutoScalingConfigurationArn;
  if (!ascArn) return s.doc;
  const asc = ctx.store.resources.get<AutoScalingDoc>(ascArn);
  return asc ? { ...s.doc, AutoScalingConfigurationSummary: autoScalingSummary(asc, true) } : s.doc;
}

const createService = handler<Wire<CreateServiceRequest>>((input, ctx) => {
  checkSourceConfiguration(input.SourceConfiguration);
  checkServiceReferences(ctx, input);
  const tags = checkTags(ctx, input.Tags as { Key: string; Value: string }[] | undefined);
  const { cpu, memory } = resolveCpuMemory(input.InstanceConfiguration?.Cpu, input.InstanceConfiguration?.Memory);
  const asc = input.AutoScalingConfigurationArn
    ? resolveAutoScalingConfiguration(ctx, input.AutoScalingConfigurationArn)
    : defaultAutoScalingConfiguration(ctx);
  return ctx.store.tx(() => {
    const name = input.ServiceName ?? "";
    if (ctx.store.resources.list({ kind: "service", name }).length > 0) {
      throw invalidRequest(`Service with the provided name already exists: ${name}`);
    }
    if (ctx.store.resources.count({ kind: "service" }) >= ctx.config.quotas.services) {
      throw quotaExceeded(`You have reached the maximum number of services (${ctx.config.quotas.services}) for this account.`);
    }
    const id = newResourceId(ctx.random);
    const arn = serviceArn(ctx.config, name, id);
    const now = epochSeconds(ctx.clock.now());
    const doc: ServiceDoc = {
      ServiceName: name,
      ServiceId: id,
      ServiceArn: arn,
      ServiceUrl: `${newUrlLabel(ctx.random)}.${ctx.config.region}.${ctx.config.baseDomain}`,
      CreatedAt: now,
      UpdatedAt: now,
      Status: "OPERATION_IN_PROGRESS",
      SourceConfiguration: {
        AutoDeploymentsEnabled: input.SourceConfiguration?.AutoDeploymentsEnabled ?? true,
        ...input.SourceConfiguration,
      },
      InstanceConfiguration: { ...input.InstanceConfiguration, Cpu: cpu, Memory: memory },
      HealthCheckConfiguration: withHealthCheckDefaults(input.HealthCheckConfiguration),
      AutoScalingConfigurationSummary: autoScalingSummary(asc, true),
      NetworkConfiguration: withNetworkDefaults(input.NetworkConfiguration),
      ObservabilityConfiguration: input.ObservabilityConfiguration ?? DEFAULT_OBSERVABILITY,
      ...(input.EncryptionConfiguration ? { EncryptionConfiguration: input.EncryptionConfiguration } : {}),
    };
    const row = ctx.store.resources.insert<ServiceDoc, ServiceInternal>({
      arn,
      kind: "service",
      name,
      status: "OPERATION_IN_PROGRESS",
      doc,
      internal: { currentDeploymentId: null },
      createdAt: ctx.clock.now(),
    });
    ctx.store.tags.put(arn, tags);
    const operationId = enqueue(ctx, row, "CREATE_SERVICE");
    ctx.engine.notify();
    return { Service: doc, OperationId: operationId };
  });
});

const describeService = handler<Wire<DescribeServiceRequest>>((input, ctx) => {
  const row = ctx.store.resources.get<ServiceDoc, ServiceInternal>(input.ServiceArn ?? "");
  if (!row || row.kind !== "service") throw notFound(`Service not found: ${input.ServiceArn ?? ""}`);
  return { Service: withLiveSummary(ctx, row) };
});

const listServices = handler<Wire<ListServicesRequest>>((input, ctx) => {
  const { items, next } = listPage<ServiceDoc>(ctx.store.resources, { kind: "service" }, input.NextToken, input.MaxResults);
  return {
    ServiceSummaryList: items.map((r) => ({
      ServiceName: r.doc.ServiceName,
      ServiceId: r.doc.ServiceId,
      ServiceArn: r.doc.ServiceArn,
      ServiceUrl: r.doc.ServiceUrl,
      CreatedAt: r.doc.CreatedAt,
      UpdatedAt: r.doc.UpdatedAt,
      Status: r.doc.Status,
    })),
    ...next,
  };
});

const updateService = handler<Wire<UpdateServiceRequest>>((input, ctx) =>
  ctx.store.tx(() => {
    const s = requireService(ctx, input.ServiceArn ?? "");
    assertCanStart(s, "UPDATE_SERVICE", ctx.store.operations.openForService(s.arn).length > 0);
    if (input.SourceConfiguration) checkSourceConfiguration(input.SourceConfiguration);
    checkServiceReferences(ctx, input);
    const previous: PreviousConfiguration = {
      SourceConfiguration: s.doc.SourceConfiguration,
      InstanceConfiguration: s.doc.InstanceConfiguration,
      HealthCheckConfiguration: s.doc.HealthCheckConfiguration,
      AutoScalingConfigurationSummary: s.doc.AutoScalingConfigurationSummary,
      NetworkConfiguration: s.doc.NetworkConfiguration,
      ObservabilityConfiguration: s.doc.ObservabilityConfiguration,
    };
    const instance = { ...s.doc.InstanceConfiguration, ...input.InstanceConfiguration };
    const { cpu, memory } = resolveCpuMemory(instance.Cpu, instance.Memory);
    const asc = input.AutoScalingConfigurationArn
      ? autoScalingSummary(resolveAutoScalingConfiguration(ctx, input.AutoScalingConfigurationArn), true)
      : s.doc.AutoScalingConfigurationSummary;
    s.doc = {
      ...s.doc,
      SourceConfiguration: input.SourceConfiguration
        ? { AutoDeploymentsEnabled: s.doc.SourceConfiguration?.AutoDeploymentsEnabled, ...input.SourceConfiguration }
        : s.doc.SourceConfiguration,
      InstanceConfiguration: { ...instance, Cpu: cpu, Memory: memory },
      HealthCheckConfiguration: withHealthCheckDefaults(input.HealthCheckConfiguration, s.doc.HealthCheckConfiguration),
      AutoScalingConfigurationSummary: asc,
      NetworkConfiguration: withNetworkDefaults(input.NetworkConfiguration, s.doc.NetworkConfiguration),
      ObservabilityConfiguration: input.ObservabilityConfiguration ?? s.doc.ObservabilityConfiguration,
    };
    const sourceChanged =
      input.SourceConfiguration !== undefined &&
      JSON.stringify(input.SourceConfiguration) !== JSON.stringify(previous.SourceConfiguration);
    markInProgress(ctx, s);
    const operationId = enqueue(ctx, s, "UPDATE_SERVICE", { sourceChanged, request: { previous } });
    ctx.engine.notify();
    return { Service: withLiveSummary(ctx, s), OperationId: operationId };
  }),
);

/**
 * A deployment nobody asked for through the API: a new image digest or commit found by
 * automatic deployment. Returns the operation id, or undefined when the service cannot deploy
 * now (another operation runs, it is paused, being deleted or gone); the caller tries later.
 */
export function startAutomaticDeployment(deps: ApiDeps, serviceArn: string, trigger: string): string | undefined {
  return deps.store.tx(() => {
    const s = deps.store.resources.get<ServiceDoc, ServiceInternal>(serviceArn);
    if (!s || s.kind !== "service" || s.deletedAt) return undefined;
    if (s.status !== "RUNNING" || deps.store.operations.openForService(s.arn).length > 0) return undefined;
    markInProgress(deps, s);
    const operationId = enqueue(deps, s, "START_DEPLOYMENT", { trigger });
    deps.engine.notify();
    return operationId;
  });
}

/** Pause, resume, start-deployment and delete share one shape: check state, mark, enqueue. */
function lifecycle(type: OperationType, withService: boolean): OperationHandler {
  return handler<{ ServiceArn?: string }>((input, ctx) =>
    ctx.store.tx(() => {
      const s = requireService(ctx, input.ServiceArn ?? "");
      const open = ctx.store.operations.openForService(s.arn);
      assertCanStart(s, type, open.length > 0, open.some((o) => o.type === "DELETE_SERVICE"));
      markInProgress(ctx, s);
      const operationId = enqueue(ctx, s, type);
      ctx.engine.notify();
      return withService ? { Service: withLiveSummary(ctx, s), OperationId: operationId } : { OperationId: operationId };
    }),
  );
}

export const serviceOperations: Record<string, OperationHandler> = {
  CreateService: createService,
  DescribeService: describeService,
  ListServices: listServices,
  UpdateService: updateService,
  DeleteService: lifecycle("DELETE_SERVICE", true),
  PauseService: lifecycle("PAUSE_SERVICE", true),
  ResumeService: lifecycle("RESUME_SERVICE", true),
  StartDeployment: lifecycle("START_DEPLOYMENT", false),
};
