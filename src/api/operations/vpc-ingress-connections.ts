import type { OperationHandler } from "../context.js";

export const vpcIngressConnectionsOperations: Record<string, OperationHandler> = {};
