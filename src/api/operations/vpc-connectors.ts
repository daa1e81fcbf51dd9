import type {
  CreateVpcConnectorRequest,
  DeleteVpcConnectorRequest,
  DescribeVpcConnectorRequest,
  ListVpcConnectorsRequest,
  VpcConnector,
} from "@aws-sdk/client-apprunner";
import { newResourceId, vpcConnectorArn } from "../../domain/arns.js";
import type { ServiceDoc } from "../../domain/service-record.js";
import { invalidRequest, notFound, quotaExceeded } from "../../errors/app-runner-error.js";
import type { ResourceRow } from "../../store/resources.js";
import { handler, type OperationHandler, type RequestContext } from "../../domain/api-context.js";
import { listPage } from "../../protocol/paging.js";
import { epochSeconds, type Wire } from "../../protocol/wire.js";
import { checkTags } from "./common.js";

/*
 * OpenRunner has no VPCs: connectors are accepted, stored and referenced by services exactly
 * as App Runner does, so templates and scripts work unchanged, but a service's egress is not
 * routed through the subnets and security groups yet (it leaves the host's network directly).
 */

type VpcConnectorDoc = Wire<VpcConnector>;
type VpcConnectorRow = ResourceRow<VpcConnectorDoc>;

function nonEmpty(values: readonly string[] | undefined, what: string): string[] {
  const list = values ?? [];
  if (list.some((v) => v.trim() === "")) throw invalidRequest(`${what} must not contain empty values.`);
  return [...list];
}

const createVpcConnector = handler<Wire<CreateVpcConnectorRequest>>((input, ctx) => {
  const subnets = nonEmpty(input.Subnets, "Subnets");
  if (subnets.length === 0) throw invalidRequest("Subnets must contain at least one subnet ID.");
  const securityGroups = nonEmpty(input.SecurityGroups, "SecurityGroups");
  const tags = checkTags(ctx, input.Tags);
  return ctx.store.tx(() => {
    if (ctx.store.resources.count({ kind: "vpc-connector" }) >= ctx.config.quotas.vpcConnectors) {
      throw quotaExceeded(
        `You have reached the maximum number of VPC connectors (${ctx.config.quotas.vpcConnectors}) for this account.`,
      );
    }
    const name = input.VpcConnectorName ?? "";
    // Creating with an existing name adds a revision, as App Runner does; revisions count
    // deleted ones too, so a number is never reused.
    const revision = ctx.store.resources.maxRevision("vpc-connector", name) + 1;
    const arn = vpcConnectorArn(ctx.config, name, revision, newResourceId(ctx.random));
    const doc: VpcConnectorDoc = {
      VpcConnectorName: name,
      VpcConnectorArn: arn,
      VpcConnectorRevision: revision,
      Subnets: subnets,
      SecurityGroups: securityGroups,
      Status: "ACTIVE",
      CreatedAt: epochSeconds(ctx.clock.now()),
    };
    ctx.store.resources.insert({ arn, kind: "vpc-connector", name, revision, status: "ACTIVE", doc, createdAt: ctx.clock.now() });
    ctx.store.tags.put(arn, tags);
    return { VpcConnector: doc };
  });
});

function findConnector(ctx: RequestContext, arn: string): VpcConnectorRow {
  const row = ctx.store.resources.get<VpcConnectorDoc>(arn);
  if (!row || row.kind !== "vpc-connector") throw notFound(`VPC connector not found: ${arn}`);
  return row;
}

// Describe answers for INACTIVE revisions too: App Runner keeps them visible for a while after deletion.
const describeVpcConnector = handler<Wire<DescribeVpcConnectorRequest>>((input, ctx) => ({
  VpcConnector: findConnector(ctx, input.VpcConnectorArn ?? "").doc,
}));

const listVpcConnectors = handler<Wire<ListVpcConnectorsRequest>>((input, ctx) => {
  const { items, next } = listPage<VpcConnectorDoc>(
    ctx.store.resources,
    { kind: "vpc-connector" },
    input.NextToken,
    input.MaxResults,
  );
  return { VpcConnectors: items.map((r) => r.doc), ...next };
});

const deleteVpcConnector = handler<Wire<DeleteVpcConnectorRequest>>((input, ctx) =>
  ctx.store.tx(() => {
    const arn = input.VpcConnectorArn ?? "";
    const row = findConnector(ctx, arn);
    if (row.deletedAt !== null) throw notFound(`VPC connector not found: ${arn}`);
    const users = ctx.store.resources
      .list<ServiceDoc>({ kind: "service" })
      .filter((s) => s.status !== "DELETED" && s.doc.NetworkConfiguration?.EgressConfiguration?.VpcConnectorArn === arn)
      .map((s) => s.name);
    if (users.length > 0) {
      throw invalidRequest(
        `VPC connector ${row.name}:${row.revision} is in use by services: ${users.join(", ")}. Update or delete them first.`,
      );
    }
    const now = ctx.clock.now();
    row.status = "INACTIVE";
    row.deletedAt = now;
    row.doc = { ...row.doc, Status: "INACTIVE", DeletedAt: epochSeconds(now) };
    ctx.store.resources.update(row);
    ctx.store.tags.removeAll(arn);
    return { VpcConnector: row.doc };
  }),
);

export const vpcConnectorsOperations: Record<string, OperationHandler> = {
  CreateVpcConnector: createVpcConnector,
  DescribeVpcConnector: describeVpcConnector,
  ListVpcConnectors: listVpcConnectors,
  DeleteVpcConnector: deleteVpcConnector,
};
