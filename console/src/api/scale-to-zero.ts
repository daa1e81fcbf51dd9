import { durationLabel } from "./durations.js";

/** The tag a service opts in to scale to zero with (docs/scale-to-zero.md; the server validates it). */
export const SCALE_TO_ZERO_TAG = "openrunner:scale-to-zero";

/**
 * How the overview says a tag value: "15 min" for `true`, the value as written otherwise;
 * undefined when the service does not scale to zero. The server refused any other value.
 */
export function idlePeriodLabel(value: string | undefined): string | undefined {
  const v = value?.trim().toLowerCase();
  if (v === undefined || v === "false" || v === "off") return undefined;
  if (v === "true" || v === "on") return "15 min";
  return durationLabel(v, "s");
}
