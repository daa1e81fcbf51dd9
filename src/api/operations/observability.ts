import type { OperationHandler } from "../context.js";

export const observabilityOperations: Record<string, OperationHandler> = {};
