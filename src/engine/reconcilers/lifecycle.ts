import { epochSeconds } from "../../protocol/wire.js";
import { operationEvent } from "../../domain/service-events.js";
import type { Reconciler } from "./types.js";

/** Pause: stop every instance; the image, configuration and URL stay. */
export const pauseReconciler: Reconciler = {
  phases: {
    start: async (ctx) => ctx.begin(operationEvent("PAUSE_SERVICE", "Started"), "stop"),
    stop: async (ctx) => {
      await ctx.driver().pause(ctx.service().doc.ServiceId ?? "", ctx.driverContext());
      ctx.finish({
        opStatus: "SUCCEEDED",
        serviceStatus: "PAUSED",
        event: operationEvent("PAUSE_SERVICE", "CompletedSuccessfully"),
      });
    },
    failed: async (ctx) =>
      ctx.finish({
        opStatus: "FAILED",
        serviceStatus: "RUNNING",
        event: operationEvent("PAUSE_SERVICE", "Failed"),
        error: ctx.op.state.error,
      }),
  },
  fail: (ctx, reason) => ctx.advance("failed", { error: reason }),
};

/** Delete: remove everything the runtime holds, then the service itself (its name is free again). */
export const deleteReconciler: Reconciler = {
  phases: {
    start: async (ctx) => ctx.begin(operationEvent("DELETE_SERVICE", "Started"), "remove"),
    remove: async (ctx) => {
      const serviceId = ctx.service().doc.ServiceId ?? "";
      await ctx.driver().delete(serviceId, ctx.driverContext());
      await ctx.deps.artifacts.forget(serviceId);
      const { store, clock } = ctx.deps;
      ctx.finish({
        opStatus: "SUCCEEDED",
        serviceStatus: "DELETED",
        event: operationEvent("DELETE_SERVICE", "CompletedSuccessfully"),
        mutate: (s) => {
          const now = clock.now();
          s.deletedAt = now;
          s.doc = { ...s.doc, DeletedAt: epochSeconds(now) };
          for (const d of store.resources.list({ kind: "custom-domain", parentArn: s.arn })) store.resources.remove(d.arn);
          // A VPC ingress connection lives and dies with its service, as in App Runner.
          for (const v of store.resources.list<Record<string, unknown>>({ kind: "vpc-ingress-connection", parentArn: s.arn })) {
            store.resources.update({
              ...v,
              status: "DELETED",
              deletedAt: now,
              doc: { ...v.doc, Status: "DELETED", DeletedAt: epochSeconds(now) },
            });
          }
          store.tags.removeAll(s.arn);
        },
      });
    },
    failed: async (ctx) =>
      ctx.finish({
        opStatus: "FAILED",
        serviceStatus: "DELETE_FAILED",
        event: operationEvent("DELETE_SERVICE", "Failed"),
        error: ctx.op.state.error,
      }),
  },
  fail: (ctx, reason) => ctx.advance("failed", { error: reason }),
};
