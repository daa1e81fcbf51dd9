import type { ControlPlaneModule, ModuleDeps } from "../../modules.js";

export function createMetricsModule(_deps: ModuleDeps): ControlPlaneModule {
  return { name: "metrics" };
}
