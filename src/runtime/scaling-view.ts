import type { ScalableService } from "../autoscaler/autoscaler.js";

/** A deployment as a driver records it, as far as scaling goes. */
export interface ScaledDeployment {
  serviceId: string;
  role: "starting" | "serving" | "standby";
  desired: number;
  minSize: number;
  maxSize: number;
  maxConcurrency: number;
}

/** Pure: every serving deployment's service, and whether another of its deployments is starting. */
export function scalingView(all: readonly ScaledDeployment[]): ScalableService[] {
  return all
    .filter((d) => d.role === "serving")
    .map((d) => ({
      serviceId: d.serviceId,
      minSize: d.minSize,
      maxSize: d.maxSize,
      maxConcurrency: d.maxConcurrency,
      current: d.desired,
      deploying: all.some((o) => o.serviceId === d.serviceId && o.role === "starting"),
    }));
}
