import type { ControlPlaneConfig } from "../../domain/config.js";
import { notFound } from "../../errors/app-runner-error.js";

/** The one event bus: App Runner's events arrive on the account's default bus, as on AWS. */
export const DEFAULT_BUS = "default";

type Where = Pick<ControlPlaneConfig, "region" | "accountId">;

export const busArn = (c: Where, name = DEFAULT_BUS): string => `arn:aws:events:${c.region}:${c.accountId}:event-bus/${name}`;

/** Rules on the default bus have no bus in their ARN; rules on other buses would. */
export const ruleArn = (c: Where, bus: string, name: string): string =>
  `arn:aws:events:${c.region}:${c.accountId}:rule/${bus === DEFAULT_BUS ? "" : `${bus}/`}${name}`;

/**
 * The bus an EventBusName parameter names (a name or an ARN, absent meaning default). Only the
 * default bus exists: CreateEventBus is not offered, so any other name is not found.
 */
export function resolveBus(c: Where, nameOrArn: string | undefined): string {
  if (nameOrArn === undefined || nameOrArn === DEFAULT_BUS || nameOrArn === busArn(c)) return DEFAULT_BUS;
  const name = nameOrArn.startsWith("arn:") ? nameOrArn.slice(nameOrArn.lastIndexOf("/") + 1) : nameOrArn;
  throw notFound(`Event bus ${name} does not exist.`);
}
