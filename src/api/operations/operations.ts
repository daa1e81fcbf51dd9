import type { ListOperationsRequest } from "@aws-sdk/client-apprunner";
import { notFound } from "../../errors/app-runner-error.js";
import type { OperationRow } from "../../store/operations.js";
import { handler, type OperationHandler } from "../../domain/api-context.js";
import { decodeNextToken, encodeNextToken } from "../../protocol/paging.js";
import { epochSeconds, type Wire } from "../../protocol/wire.js";

export function operationSummary(op: OperationRow): Record<string, unknown> {
  return {
    Id: op.id,
    Type: op.type,
    Status: op.status,
    TargetArn: op.serviceArn,
    StartedAt: epochSeconds(op.startedAt),
    ...(op.endedAt !== null ? { EndedAt: epochSeconds(op.endedAt) } : {}),
    UpdatedAt: epochSeconds(op.updatedAt),
  };
}

/** Newest first, like App Runner; operations of a deleted service stay listable. */
const listOperations = handler<Wire<ListOperationsRequest>>((input, ctx) => {
  const arn = input.ServiceArn ?? "";
  const s = ctx.store.resources.get(arn);
  if (!s || s.kind !== "service") throw notFound(`Service not found: ${arn}`);
  // As for ListServices: without MaxResults, every operation in one answer.
  const max = input.MaxResults ?? Number.MAX_SAFE_INTEGER - 1;
  const rows = ctx.store.operations.listForService(arn, decodeNextToken(input.NextToken), max + 1);
  const items = rows.slice(0, max);
  const last = items[items.length - 1];
  return {
    OperationSummaryList: items.map(operationSummary),
    ...(rows.length > max && last ? { NextToken: encodeNextToken(last.seq) } : {}),
  };
});

export const operationOperations: Record<string, OperationHandler> = { ListOperations: listOperations };
