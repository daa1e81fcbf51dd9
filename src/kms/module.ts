import type { ModuleFactory } from "../modules.js";

/** KMS's API (TrentService) on the shared endpoint, over `deps.keys`. Stub: the KMS work replaces it. */
export const createKmsModule: ModuleFactory = () => ({ name: "kms" });
