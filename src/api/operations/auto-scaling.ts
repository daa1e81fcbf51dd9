import type { OperationHandler } from "../context.js";

export const autoScalingOperations: Record<string, OperationHandler> = {};
