import { AppRunnerError } from "../errors/app-runner-error.js";
import type { DeploymentRef, DeploymentSpec, DeployResult, DriverContext, RuntimeDriver } from "./driver.js";

export const NO_RUNTIME_MESSAGE =
  "No runtime is available on this host: OpenRunner has no container runtime driver installed yet, so the service cannot run.";

/**
 * The driver `openrunner up` uses until a real one is installed: it never pretends. A
 * deployment fails with a clear reason; pause and delete succeed because nothing runs.
 */
export class UnavailableRuntimeDriver implements RuntimeDriver {
  readonly name = "unavailable";

  deploy(_spec: DeploymentSpec, ctx: DriverContext): Promise<DeployResult> {
    ctx.log(NO_RUNTIME_MESSAGE);
    return Promise.reject(new AppRunnerError("RuntimeUnavailable", NO_RUNTIME_MESSAGE));
  }

  waitHealthy(_ref: DeploymentRef): Promise<void> {
    return Promise.reject(new AppRunnerError("RuntimeUnavailable", NO_RUNTIME_MESSAGE));
  }

  shiftTraffic(_ref: DeploymentRef): Promise<void> {
    return Promise.reject(new AppRunnerError("RuntimeUnavailable", NO_RUNTIME_MESSAGE));
  }

  retire(_ref: DeploymentRef): Promise<void> {
    return Promise.resolve();
  }

  pause(_serviceId: string): Promise<void> {
    return Promise.resolve();
  }

  delete(_serviceId: string): Promise<void> {
    return Promise.resolve();
  }
}
