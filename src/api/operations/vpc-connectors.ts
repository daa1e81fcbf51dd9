import type { OperationHandler } from "../context.js";

export const vpcConnectorsOperations: Record<string, OperationHandler> = {};
