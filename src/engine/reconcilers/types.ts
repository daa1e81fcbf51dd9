import type { OperationContext } from "../operation-context.js";

/** One step of an operation; it persists its own progress with ctx.advance or ctx.finish. */
export type Phase = (ctx: OperationContext) => Promise<void>;

/**
 * An operation type as an ordered set of idempotent phases. `fail` moves a failed operation
 * onto its failure path (rollback or a failed end); it is called with the failure's reason.
 */
export interface Reconciler {
  phases: Record<string, Phase>;
  fail(ctx: OperationContext, reason: string): void;
}

export const CANCELLED_BY_DELETE = "The operation was cancelled because the service is being deleted.";

export function reasonOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
