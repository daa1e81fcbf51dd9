import type { RequestContext } from "../../domain/api-context.js";
import type { ServiceInstance } from "../../domain/instances.js";
import { invalidRequest } from "../../errors/app-runner-error.js";
import { requireService } from "../operations/common.js";

export const LIST_SERVICE_INSTANCES = "ListServiceInstances";

/**
 * `{ ServiceArn }` -> `{ Instances }`: the instances the runtime runs for the service now, each
 * with the node it runs on (App Runner's API has no such operation; the console's "Instances"
 * tab reads it). Serving ones first, then by id, so a polled table does not reorder. Without a
 * runtime nothing runs, so the list is empty.
 */
export async function listServiceInstances(input: Record<string, unknown>, ctx: RequestContext): Promise<{ Instances: ServiceInstance[] }> {
  const arn = input.ServiceArn;
  if (typeof arn !== "string" || arn === "") throw invalidRequest("ServiceArn is required.");
  const service = requireService(ctx, arn);
  const found = ctx.instances ? await ctx.instances.instances(service.doc.ServiceId ?? "") : [];
  const instances = [...found].sort((a, b) => Number(b.Serving) - Number(a.Serving) || a.InstanceId.localeCompare(b.InstanceId));
  return { Instances: instances };
}
