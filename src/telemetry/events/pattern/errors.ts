import { AppRunnerError } from "../../../errors/app-runner-error.js";

/**
 * EventBridge's InvalidEventPatternException, worded as AWS words it ("Event pattern is not
 * valid. Reason: ...", reasons from its rule compiler), plus where in the pattern it went wrong,
 * which AWS gives as a character offset and we give as a path.
 */
export function invalidPattern(reason: string, path: readonly (string | number)[]): AppRunnerError {
  const where = path.length > 0 ? ` (at ${formatPath(path)})` : "";
  return new AppRunnerError("EventsInvalidEventPattern", `Event pattern is not valid. Reason: ${reason}${where}`);
}

export function formatPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}
