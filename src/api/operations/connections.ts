import type { CreateConnectionRequest, DeleteConnectionRequest, ListConnectionsRequest } from "@aws-sdk/client-apprunner";
import { connectionArn, newResourceId } from "../../domain/arns.js";
import type { ConnectionDoc, ConnectionInternal } from "../../domain/connection-handshake.js";
import type { ServiceDoc } from "../../domain/service-record.js";
import { invalidRequest, notFound, quotaExceeded } from "../../errors/app-runner-error.js";
import type { ResourceRow } from "../../store/resources.js";
import { handler, type OperationHandler, type RequestContext } from "../../domain/api-context.js";
import { listPage } from "../../protocol/paging.js";
import { epochSeconds, type Wire } from "../../protocol/wire.js";
import { checkTags } from "./common.js";

/** The caller never sees more than the API shape; the sealed token stays in `internal`. */
const summary = (r: Pick<ResourceRow<ConnectionDoc>, "doc">): ConnectionDoc => ({
  ConnectionName: r.doc.ConnectionName,
  ConnectionArn: r.doc.ConnectionArn,
  ProviderType: r.doc.ProviderType,
  Status: r.doc.Status,
  CreatedAt: r.doc.CreatedAt,
});

const createConnection = handler<Wire<CreateConnectionRequest>>((input, ctx) => {
  const tags = checkTags(ctx, input.Tags);
  return ctx.store.tx(() => {
    const name = input.ConnectionName ?? "";
    if (ctx.store.resources.count({ kind: "connection", name }) > 0) {
      throw invalidRequest(`Connection with the provided name already exists: ${name}`);
    }
    if (ctx.store.resources.count({ kind: "connection" }) >= ctx.config.quotas.connections) {
      throw quotaExceeded(
        `You have reached the maximum number of connections (${ctx.config.quotas.connections}) for this account.`,
      );
    }
    const arn = connectionArn(ctx.config, name, newResourceId(ctx.random));
    // A new connection waits for the provider handshake (developer guide, "Managing App Runner
    // connections"): `openrunner connection complete-handshake` or the console completes it.
    const doc: ConnectionDoc = {
      ConnectionName: name,
      ConnectionArn: arn,
      ProviderType: input.ProviderType,
      Status: "PENDING_HANDSHAKE",
      CreatedAt: epochSeconds(ctx.clock.now()),
    };
    ctx.store.resources.insert<ConnectionDoc, ConnectionInternal>({
      arn,
      kind: "connection",
      name,
      status: doc.Status ?? "PENDING_HANDSHAKE",
      doc,
      internal: {},
      createdAt: ctx.clock.now(),
    });
    ctx.store.tags.put(arn, tags);
    return { Connection: doc };
  });
});

const listConnections = handler<Wire<ListConnectionsRequest>>((input, ctx) => {
  const { items, next } = listPage<ConnectionDoc>(
    ctx.store.resources,
    { kind: "connection", name: input.ConnectionName },
    input.NextToken,
    input.MaxResults,
  );
  return { ConnectionSummaryList: items.map(summary), ...next };
});

/** Services that still pull their source through this connection. */
function servicesUsing(ctx: RequestContext, arn: string): string[] {
  return ctx.store.resources
    .list<ServiceDoc>({ kind: "service" })
    .filter((s) => s.status !== "DELETED" && s.doc.SourceConfiguration?.AuthenticationConfiguration?.ConnectionArn === arn)
    .map((s) => s.name);
}

const deleteConnection = handler<Wire<DeleteConnectionRequest>>((input, ctx) =>
  ctx.store.tx(() => {
    const arn = input.ConnectionArn ?? "";
    const row = ctx.store.resources.get<ConnectionDoc, ConnectionInternal>(arn);
    if (!row || row.kind !== "connection" || row.deletedAt !== null) throw notFound(`Connection not found: ${arn}`);
    const users = servicesUsing(ctx, arn);
    if (users.length > 0) {
      // Deleting it would leave those services unable to fetch their source on the next deployment.
      throw invalidRequest(`Connection ${row.name} is in use by services: ${users.join(", ")}. Delete or update them first.`);
    }
    row.status = "DELETED";
    row.deletedAt = ctx.clock.now();
    row.doc = { ...row.doc, Status: "DELETED" };
    // The provider token must not outlive the connection it was given for.
    row.internal = {};
    ctx.store.resources.update(row);
    ctx.store.tags.removeAll(arn);
    return { Connection: summary(row) };
  }),
);

export const connectionsOperations: Record<string, OperationHandler> = {
  CreateConnection: createConnection,
  ListConnections: listConnections,
  DeleteConnection: deleteConnection,
};
