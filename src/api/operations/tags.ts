import type { OperationHandler } from "../context.js";

export const tagsOperations: Record<string, OperationHandler> = {};
