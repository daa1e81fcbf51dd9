/** App Runner's quotas, as defaults an operator can change (`openrunner up --quota name=value`). */
export interface Quotas {
  services: number;
  connections: number;
  autoScalingConfigurationNames: number;
  autoScalingConfigurationRevisions: number;
  observabilityConfigurationNames: number;
  observabilityConfigurationRevisions: number;
  vpcConnectors: number;
  vpcIngressConnections: number;
  customDomainsPerService: number;
  tagsPerResource: number;
}

export const DEFAULT_QUOTAS: Quotas = {
  services: 30,
  connections: 10,
  autoScalingConfigurationNames: 10,
  autoScalingConfigurationRevisions: 5,
  observabilityConfigurationNames: 10,
  observabilityConfigurationRevisions: 10,
  vpcConnectors: 10,
  vpcIngressConnections: 1,
  customDomainsPerService: 5,
  tagsPerResource: 50,
};

/** What every part of the control plane needs to know about where it runs. */
export interface ControlPlaneConfig {
  region: string;
  accountId: string;
  /** Service URLs are `<10 chars>.<region>.<baseDomain>`. */
  baseDomain: string;
  quotas: Quotas;
  /**
   * The zone validation CNAMEs of custom domains point into (`openrunner up --acme-dns-zone`);
   * absent: `acme.<region>.<baseDomain>` (customDomainZoneOf).
   */
  customDomainZone?: string;
  /** Tests only: the shortest idle period the scale-to-zero tag accepts (domain/scale-to-zero.ts MIN_IDLE_MS otherwise). */
  scaleToZeroMinIdleMs?: number;
  /** Tests only: the shortest interval and window the gradual-rollout tag accepts (domain/gradual-rollout.ts MIN_INTERVAL_MS otherwise). */
  rolloutMinIntervalMs?: number;
}

/** The zone of custom domains' validation CNAMEs: the configured one, else `acme.<region>.<baseDomain>`. */
export function customDomainZoneOf(config: Pick<ControlPlaneConfig, "region" | "baseDomain" | "customDomainZone">): string {
  return (config.customDomainZone ?? `acme.${config.region}.${config.baseDomain}`).toLowerCase().replace(/\.$/, "");
}
