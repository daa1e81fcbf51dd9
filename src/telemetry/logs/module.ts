import type { ControlPlaneModule, ModuleDeps } from "../../modules.js";

export function createLogsModule(_deps: ModuleDeps): ControlPlaneModule {
  return { name: "logs" };
}
