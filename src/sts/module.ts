import type { ControlPlaneModule, ModuleDeps } from "../modules.js";
import { sessionSweep } from "./session-sweep.js";
import { stsRoute } from "./route.js";

/** STS on the shared endpoint, and the sweep of its expired temporary credentials. */
export function createStsModule(deps: ModuleDeps): ControlPlaneModule {
  const sweep = sessionSweep({ sessions: deps.store.sessions, clock: deps.clock, logger: deps.logger });
  return {
    name: "sts",
    routes: [stsRoute(deps)],
    start: () => sweep.start(),
    stop: () => sweep.stop(),
  };
}
