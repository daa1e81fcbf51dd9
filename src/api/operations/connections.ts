import type { OperationHandler } from "../context.js";

export const connectionsOperations: Record<string, OperationHandler> = {};
