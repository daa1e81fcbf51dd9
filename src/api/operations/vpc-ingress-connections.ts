import type {
  CreateVpcIngressConnectionRequest,
  DeleteVpcIngressConnectionRequest,
  DescribeVpcIngressConnectionRequest,
  IngressVpcConfiguration,
  ListVpcIngressConnectionsRequest,
  UpdateVpcIngressConnectionRequest,
  VpcIngressConnection,
} from "@aws-sdk/client-apprunner";
import { newResourceId, newUrlLabel, vpcIngressConnectionArn } from "../../domain/arns.js";
import type { ServiceRow } from "../../domain/service-record.js";
import { AppRunnerError, invalidRequest, invalidState, notFound, quotaExceeded } from "../../errors/app-runner-error.js";
import type { ResourceRow } from "../../store/resources.js";
import { handler, type OperationHandler, type RequestContext } from "../../domain/api-context.js";
import { decodeNextToken, nextTokenField, page } from "../../protocol/paging.js";
import { epochSeconds, type Wire } from "../../protocol/wire.js";
import { checkTags, requireService } from "./common.js";

/*
 * A VPC ingress connection makes a service reachable from one customer VPC endpoint. OpenRunner
 * has no VPCs to wait for, so a connection is AVAILABLE as soon as it is created or updated;
 * its DomainName is recorded for the router but private-only routing is not enforced yet.
 */

export type VpcIngressConnectionDoc = Wire<VpcIngressConnection>;
type VpcIngressConnectionRow = ResourceRow<VpcIngressConnectionDoc>;

/** The states App Runner accepts UpdateVpcIngressConnection and DeleteVpcIngressConnection in (API reference). */
const UPDATABLE = ["AVAILABLE", "FAILED_CREATION", "FAILED_UPDATE"];
const DELETABLE = [...UPDATABLE, "FAILED_DELETION"];

/** App Runner needs both halves to wire the endpoint to the service. */
function checkVpcConfiguration(c: Wire<IngressVpcConfiguration> | undefined): Wire<IngressVpcConfiguration> {
  if (!c?.VpcId?.trim() || !c.VpcEndpointId?.trim()) {
    throw invalidRequest("IngressVpcConfiguration requires both VpcId and VpcEndpointId.");
  }
  return { VpcId: c.VpcId, VpcEndpointId: c.VpcEndpointId };
}

/** CreateVpcIngressConnection has no ResourceNotFoundException in the model: a missing service is a bad request. */
function serviceForIngress(ctx: RequestContext, arn: string): ServiceRow {
  try {
    return requireService(ctx, arn);
  } catch (err) {
    if (err instanceof AppRunnerError && err.code === "ResourceNotFound") throw invalidRequest(err.message);
    throw err;
  }
}

const createVpcIngressConnection = handler<Wire<CreateVpcIngressConnectionRequest>>((input, ctx) => {
  const vpc = checkVpcConfiguration(input.IngressVpcConfiguration);
  const tags = checkTags(ctx, input.Tags);
  return ctx.store.tx(() => {
    const service = serviceForIngress(ctx, input.ServiceArn ?? "");
    if (ctx.store.operations.openForService(service.arn).some((o) => o.type === "DELETE_SERVICE")) {
      throw invalidState(`Service ${service.name} is being deleted.`);
    }
    const name = input.VpcIngressConnectionName ?? "";
    // Names are unique across the account's active connections, not only the service's.
    if (ctx.store.resources.list({ kind: "vpc-ingress-connection", name }).length > 0) {
      throw invalidRequest(`VPC ingress connection with the provided name already exists: ${name}`);
    }
    const quota = ctx.config.quotas.vpcIngressConnections;
    if (ctx.store.resources.count({ kind: "vpc-ingress-connection", parentArn: service.arn }) >= quota) {
      throw quotaExceeded(`Service ${service.name} already has the maximum number of VPC ingress connections (${quota}).`);
    }
    const arn = vpcIngressConnectionArn(ctx.config, name, newResourceId(ctx.random));
    const doc: VpcIngressConnectionDoc = {
      VpcIngressConnectionArn: arn,
      VpcIngressConnectionName: name,
      ServiceArn: service.arn,
      Status: "AVAILABLE",
      AccountId: ctx.config.accountId,
      DomainName: `${newUrlLabel(ctx.random)}.${ctx.config.region}.${ctx.config.baseDomain}`,
      IngressVpcConfiguration: vpc,
      CreatedAt: epochSeconds(ctx.clock.now()),
    };
    ctx.store.resources.insert({
      arn,
      kind: "vpc-ingress-connection",
      name,
      parentArn: service.arn,
      status: "AVAILABLE",
      doc,
      createdAt: ctx.clock.now(),
    });
    ctx.store.tags.put(arn, tags);
    return { VpcIngressConnection: doc };
  });
});

function findIngress(ctx: RequestContext, arn: string): VpcIngressConnectionRow {
  const row = ctx.store.resources.get<VpcIngressConnectionDoc>(arn);
  if (!row || row.kind !== "vpc-ingress-connection") throw notFound(`VPC ingress connection not found: ${arn}`);
  return row;
}

function assertStatus(row: VpcIngressConnectionRow, allowed: readonly string[], verb: string): void {
  if (!allowed.includes(row.status)) {
    throw invalidState(`VPC ingress connection ${row.name} cannot be ${verb} in its current state: ${row.status}.`);
  }
}

// Describe still answers for a DELETED connection, with its DeletedAt, as App Runner does.
const describeVpcIngressConnection = handler<Wire<DescribeVpcIngressConnectionRequest>>((input, ctx) => ({
  VpcIngressConnection: findIngress(ctx, input.VpcIngressConnectionArn ?? "").doc,
}));

const listVpcIngressConnections = handler<Wire<ListVpcIngressConnectionsRequest>>((input, ctx) => {
  const max = input.MaxResults ?? 100;
  const endpoint = input.Filter?.VpcEndpointId;
  // The endpoint filter reads the document, so filter first and page the result; a handful of rows at most.
  const rows = ctx.store.resources
    .list<VpcIngressConnectionDoc>({
      kind: "vpc-ingress-connection",
      parentArn: input.Filter?.ServiceArn,
      afterSeq: decodeNextToken(input.NextToken),
    })
    .filter((r) => endpoint === undefined || r.doc.IngressVpcConfiguration?.VpcEndpointId === endpoint);
  const { items, nextToken } = page(rows, max);
  return {
    VpcIngressConnectionSummaryList: items.map((r) => ({ VpcIngressConnectionArn: r.arn, ServiceArn: r.doc.ServiceArn })),
    ...nextTokenField(nextToken),
  };
});

const updateVpcIngressConnection = handler<Wire<UpdateVpcIngressConnectionRequest>>((input, ctx) =>
  ctx.store.tx(() => {
    const row = findIngress(ctx, input.VpcIngressConnectionArn ?? "");
    assertStatus(row, UPDATABLE, "updated");
    // A member left out keeps its value, so changing only the endpoint is one short call.
    const vpc = checkVpcConfiguration({ ...row.doc.IngressVpcConfiguration, ...input.IngressVpcConfiguration });
    row.status = "AVAILABLE";
    row.doc = { ...row.doc, IngressVpcConfiguration: vpc, Status: "AVAILABLE" };
    ctx.store.resources.update(row);
    return { VpcIngressConnection: row.doc };
  }),
);

const deleteVpcIngressConnection = handler<Wire<DeleteVpcIngressConnectionRequest>>((input, ctx) =>
  ctx.store.tx(() => {
    const row = findIngress(ctx, input.VpcIngressConnectionArn ?? "");
    assertStatus(row, DELETABLE, "deleted");
    const now = ctx.clock.now();
    row.status = "DELETED";
    row.deletedAt = now;
    row.doc = { ...row.doc, Status: "DELETED", DeletedAt: epochSeconds(now) };
    ctx.store.resources.update(row);
    ctx.store.tags.removeAll(row.arn);
    return { VpcIngressConnection: row.doc };
  }),
);

export const vpcIngressConnectionsOperations: Record<string, OperationHandler> = {
  CreateVpcIngressConnection: createVpcIngressConnection,
  DescribeVpcIngressConnection: describeVpcIngressConnection,
  ListVpcIngressConnections: listVpcIngressConnections,
  UpdateVpcIngressConnection: updateVpcIngressConnection,
  DeleteVpcIngressConnection: deleteVpcIngressConnection,
};
