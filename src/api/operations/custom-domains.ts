import type { OperationHandler } from "../context.js";

export const customDomainsOperations: Record<string, OperationHandler> = {};
