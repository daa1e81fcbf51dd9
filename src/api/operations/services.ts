import type {
  CreateServiceRequest,
  DescribeServiceRequest,
  ListServicesRequest,
  UpdateServiceRequest,
} from "@aws-sdk/client-apprunner";
import { newResourceId, newUrlLabel, serviceArn } from "../../domain/arns.js";
import { autoScalingSummary, defaultAutoScalingConfiguration, resolveAutoScalingConfiguration, type AutoScalingDoc, type AutoScalingRow } from "../../domain/auto-scaling.js";
import { resolveCpuMemory } from "../../domain/instance-configuration.js";
import { DEFAULT_OBSERVABILITY, withHealthCheckDefaults, withNetworkDefaults } from "../../domain/service-defaults.js";
import type { ServiceDoc, ServiceInternal, ServiceRow } from "../../domain/service-record.js";
import { assertCanStart, checkServiceReferences, checkSourceConfiguration } from "../../domain/service-rules.js";
import type { PreviousConfiguration } from "../../domain/operation-request.js";
import { recordOperation, startOperation } from "../../domain/service-lifecycle.js";
import { checkServiceKey } from "../../domain/service-encryption.js";
import { withoutWithheld } from "../../store/sealed-json.js";
import { invalidRequest, notFound, quotaExceeded } from "../../errors/app-runner-error.js";
import type { OperationType } from "../../store/operations.js";
import { handler, type OperationHandler, type RequestContext } from "../../domain/api-context.js";
import { keptAnswer } from "../../protocol/kept-answer.js";
import { listPage } from "../../protocol/paging.js";
import { epochSeconds, type Wire } from "../../protocol/wire.js";
import { checkTags, requireService } from "./common.js";

/**
 * The service as the API shows it: its auto scaling summary as it is now, and without members
 * its KMS key would not open (disabled after a restart): DescribeService keeps describing it.
 */
function withLiveSummary(ctx: RequestContext, s: ServiceRow, ascRow?: AutoScalingRow): ServiceDoc {
  const doc = withoutWithheld(s.doc);
  const ascArn = doc.AutoScalingConfigurationSummary?.AutoScalingConfigurationArn;
  if (!ascArn) return doc;
  const asc = ascRow ?? ctx.store.resources.get<AutoScalingDoc>(ascArn);
  return asc ? { ...doc, AutoScalingConfigurationSummary: autoScalingSummary(asc, true) } : doc;
}

const createService = handler<Wire<CreateServiceRequest>>((input, ctx) => {
  checkSourceConfiguration(input.SourceConfiguration);
  checkServiceReferences(ctx, input);
  const tags = checkTags(ctx, input.Tags as { Key: string; Value: string }[] | undefined);
  checkServiceKey({ ...ctx, call: ctx.call ?? { sourceIp: "", secureTransport: false, time: ctx.clock.now() } }, input.EncryptionConfiguration?.KmsKey);
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
    const operationId = recordOperation(ctx, row, { type: "CREATE_SERVICE" });
    return { Service: doc, OperationId: operationId };
  });
});

interface Described {
  asc: AutoScalingRow | undefined;
  answer: { Service: ServiceDoc };
}
/**
 * DescribeService's answer by the service's document: the store's documents are frozen and
 * shared until the row changes, so while neither it nor its auto scaling configuration does,
 * the answer (and its JSON, see keptAnswer) is the one made before.
 */
const described = new WeakMap<ServiceDoc, Described>();

function describeAnswer(ctx: RequestContext, row: ServiceRow): { Service: ServiceDoc } {
  // A document not frozen is not the store's shared copy (members its KMS key would not open are read again each time).
  if (!Object.isFrozen(row.doc)) return { Service: withLiveSummary(ctx, row) };
  const ascArn = row.doc.AutoScalingConfigurationSummary?.AutoScalingConfigurationArn;
  const asc = ascArn ? ctx.store.resources.get<AutoScalingDoc>(ascArn) : undefined;
  const kept = described.get(row.doc);
  if (kept && kept.asc?.doc === asc?.doc && kept.asc?.deletedAt === asc?.deletedAt) return kept.answer;
  const answer = keptAnswer({ Service: withLiveSummary(ctx, row, asc) });
  described.set(row.doc, { asc, answer });
  return answer;
}

// The service and its auto scaling configuration from one snapshot, with the file locked once.
const describeService = handler<Wire<DescribeServiceRequest>>((input, ctx) =>
  ctx.store.read(() => {
    const row = ctx.store.resources.get<ServiceDoc, ServiceInternal>(input.ServiceArn ?? "");
    if (!row || row.kind !== "service") throw notFound(`Service not found: ${input.ServiceArn ?? ""}`);
    return describeAnswer(ctx, row);
  }),
);

type ServiceList = { ServiceSummaryList: Record<string, unknown>[]; NextToken?: string };

/**
 * ListServices' answers by page (NextToken and MaxResults asked), kept while the page shows the
 * same shared documents (the store's, frozen until their row changes) and the same next token:
 * its JSON was a fifth of the call (docs/performance.md, "December (5)"). Bounded: clients
 * paging through many pages only make it start over.
 */
const listed = new Map<string, { docs: ServiceDoc[]; answer: ServiceList }>();
const MAX_LISTED_PAGES = 64;

function keptList(key: string, docs: ServiceDoc[], nextToken: string | undefined): ServiceList | undefined {
  const kept = listed.get(key);
  if (!kept || kept.answer.NextToken !== nextToken || kept.docs.length !== docs.length) return undefined;
  return kept.docs.every((d, i) => d === docs[i]) ? kept.answer : undefined;
}

const listServices = handler<Wire<ListServicesRequest>>((input, ctx) => {
  const { items, next } = listPage<ServiceDoc>(ctx.store.resources, { kind: "service" }, input.NextToken, input.MaxResults);
  const docs = items.map((r) => r.doc);
  const key = `${input.MaxResults ?? ""}\n${input.NextToken ?? ""}`;
  const kept = keptList(key, docs, next.NextToken);
  if (kept) return kept;
  const answer: ServiceList = {
    ServiceSummaryList: docs.map((doc) => ({
      ServiceName: doc.ServiceName,
      ServiceId: doc.ServiceId,
      ServiceArn: doc.ServiceArn,
      ServiceUrl: doc.ServiceUrl,
      CreatedAt: doc.CreatedAt,
      UpdatedAt: doc.UpdatedAt,
      Status: doc.Status,
    })),
    ...next,
  };
  // A document not frozen is not the store's shared copy: such a page is made again each time.
  if (!docs.every((d) => Object.isFrozen(d))) return answer;
  if (listed.size >= MAX_LISTED_PAGES) listed.clear();
  listed.set(key, { docs, answer: keptAnswer(answer) });
  return answer;
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
    const operationId = startOperation(ctx, s, { type: "UPDATE_SERVICE", sourceChanged, previous });
    return { Service: withLiveSummary(ctx, s), OperationId: operationId };
  }),
);

/** Pause, resume, start-deployment and delete share one shape: check state, mark, enqueue. */
function lifecycle(type: Exclude<OperationType, "CREATE_SERVICE" | "UPDATE_SERVICE">, withService: boolean): OperationHandler {
  return handler<{ ServiceArn?: string }>((input, ctx) =>
    ctx.store.tx(() => {
      const s = requireService(ctx, input.ServiceArn ?? "");
      const open = ctx.store.operations.openForService(s.arn);
      assertCanStart(s, type, open.length > 0, open.some((o) => o.type === "DELETE_SERVICE"));
      const operationId = startOperation(ctx, s, { type });
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
