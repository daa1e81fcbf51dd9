import type { ControlPlaneConfig } from "./config.js";
import { hex, type Random } from "../util/random.js";

/** App Runner resource ids are 32 lower-case hex characters. */
export const newResourceId = (r: Random): string => hex(r, 16);

const ALPHANUM = "abcdefghijklmnopqrstuvwxyz0123456789";

/** The 10-character label of a service's default domain. */
export function newUrlLabel(r: Random): string {
  return Array.from(r.bytes(10), (b) => ALPHANUM[b % ALPHANUM.length]).join("");
}

const prefix = (c: ControlPlaneConfig): string => `arn:aws:apprunner:${c.region}:${c.accountId}`;

export const serviceArn = (c: ControlPlaneConfig, name: string, id: string): string => `${prefix(c)}:service/${name}/${id}`;
export const connectionArn = (c: ControlPlaneConfig, name: string, id: string): string =>
  `${prefix(c)}:connection/${name}/${id}`;
export const autoScalingConfigurationArn = (c: ControlPlaneConfig, name: string, rev: number, id: string): string =>
  `${prefix(c)}:autoscalingconfiguration/${name}/${rev}/${id}`;
export const observabilityConfigurationArn = (c: ControlPlaneConfig, name: string, rev: number, id: string): string =>
  `${prefix(c)}:observabilityconfiguration/${name}/${rev}/${id}`;
export const vpcConnectorArn = (c: ControlPlaneConfig, name: string, rev: number, id: string): string =>
  `${prefix(c)}:vpcconnector/${name}/${rev}/${id}`;
export const vpcIngressConnectionArn = (c: ControlPlaneConfig, name: string, id: string): string =>
  `${prefix(c)}:vpcingressconnection/${name}/${id}`;
/** Custom domains have no ARN in App Runner; this key only names their row in the store. */
export const customDomainKey = (service: string, domain: string): string => `${service}/customdomain/${domain}`;

export interface ParsedArn {
  region: string;
  accountId: string;
  resourceType: string;
  parts: string[];
}

export function parseArn(arn: string): ParsedArn | undefined {
  const m = /^arn:aws[\w-]*:apprunner:([a-z0-9-]*):(\d{12}):([a-z]+)\/(.+)$/.exec(arn);
  if (!m) return undefined;
  return { region: m[1] ?? "", accountId: m[2] ?? "", resourceType: m[3] ?? "", parts: (m[4] ?? "").split("/") };
}

/** True when an ARN names this region and account: others can never exist here. */
export function isLocalArn(c: ControlPlaneConfig, arn: string): boolean {
  const p = parseArn(arn);
  return p !== undefined && p.region === c.region && p.accountId === c.accountId;
}
