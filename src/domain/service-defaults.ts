import type {
  HealthCheckConfiguration,
  NetworkConfiguration,
  ServiceObservabilityConfiguration,
} from "@aws-sdk/client-apprunner";
import type { Wire } from "../protocol/wire.js";

/** App Runner's health check defaults (developer guide, "Configuring health checks"). */
export const DEFAULT_HEALTH_CHECK: Required<Wire<HealthCheckConfiguration>> = {
  Protocol: "TCP",
  Path: "/",
  Interval: 5,
  Timeout: 2,
  HealthyThreshold: 1,
  UnhealthyThreshold: 5,
};

export function withHealthCheckDefaults(
  given: Wire<HealthCheckConfiguration> | undefined,
  base: Wire<HealthCheckConfiguration> = DEFAULT_HEALTH_CHECK,
): Wire<HealthCheckConfiguration> {
  return { ...DEFAULT_HEALTH_CHECK, ...base, ...(given ?? {}) };
}

export function withNetworkDefaults(
  given: Wire<NetworkConfiguration> | undefined,
  base?: Wire<NetworkConfiguration>,
): Wire<NetworkConfiguration> {
  return {
    EgressConfiguration: {
      EgressType: "DEFAULT",
      ...(base?.EgressConfiguration ?? {}),
      ...(given?.EgressConfiguration ?? {}),
    },
    IngressConfiguration: {
      IsPubliclyAccessible: true,
      ...(base?.IngressConfiguration ?? {}),
      ...(given?.IngressConfiguration ?? {}),
    },
    IpAddressType: given?.IpAddressType ?? base?.IpAddressType ?? "IPV4",
  };
}

export const DEFAULT_OBSERVABILITY: Wire<ServiceObservabilityConfiguration> = { ObservabilityEnabled: false };
