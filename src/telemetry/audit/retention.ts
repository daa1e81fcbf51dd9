import type { Clock } from "../../util/clock.js";

/** CloudTrail's event history covers the past 90 days; so does OpenRunner's, unless the operator says otherwise. */
export const DEFAULT_RETENTION_DAYS = 90;
export const RETENTION_ENV = "OPENRUNNER_TRAIL_RETENTION_DAYS";

const DAY_MS = 24 * 60 * 60 * 1000;
const keeping = `keeping ${DEFAULT_RETENTION_DAYS}`;

/**
 * The retention an operator asked for: a module option wins over the environment; anything
 * that is not a positive whole number of days falls back to the default, with a warning
 * for the log rather than a refusal to start.
 */
export function retentionDaysFrom(option: number | undefined, env: string | undefined): { days: number; warning?: string } {
  if (option !== undefined) {
    if (Number.isInteger(option) && option > 0) return { days: option };
    return { days: DEFAULT_RETENTION_DAYS, warning: `audit retention ${option} is not a positive whole number of days; ${keeping}` };
  }
  if (env === undefined || env.trim() === "") return { days: DEFAULT_RETENTION_DAYS };
  const days = /^\d+$/.test(env.trim()) ? Number(env.trim()) : Number.NaN;
  if (Number.isSafeInteger(days) && days > 0) return { days };
  return { days: DEFAULT_RETENTION_DAYS, warning: `${RETENTION_ENV}='${env}' is not a positive whole number of days; ${keeping}` };
}

/** Events at or after this time are kept; earlier ones have expired. */
export const retentionCutoff = (clock: Clock, days: number): number => clock.now() - days * DAY_MS;

export const isExpired = (eventTime: number, clock: Clock, days: number): boolean => eventTime < retentionCutoff(clock, days);
