import type { ControlPlaneModule, ModuleDeps } from "../../modules.js";

export function createEventsModule(_deps: ModuleDeps): ControlPlaneModule {
  return { name: "events" };
}
