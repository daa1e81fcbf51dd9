import type { ControlPlaneModule, ModuleDeps } from "../../modules.js";

export function createAuditModule(_deps: ModuleDeps): ControlPlaneModule {
  return { name: "audit" };
}
