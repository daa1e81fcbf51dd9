import { labelLimitExceeded, MAX_LABELS_PER_VERSION, MAX_VERSIONS, maxVersionsExceeded } from "./errors.js";

/*
 * Parameter Store's rules for versions and labels, as pure decisions over what the store holds:
 * a label names one version of a parameter at a time (labelling another version moves it), a
 * version has at most 10, and a parameter keeps its 100 newest versions unless the oldest is
 * labelled.
 */

const LABEL = /^[a-zA-Z0-9_.-]{1,100}$/;

/** Letters, digits, `.-_`, at most 100; not starting with a digit, "aws" or "ssm" (any case). */
export function isValidLabel(label: string): boolean {
  if (!LABEL.test(label) || /^[0-9]/.test(label)) return false;
  const lower = label.toLowerCase();
  return !lower.startsWith("aws") && !lower.startsWith("ssm");
}

/**
 * What LabelParameterVersion does to `version`, given the parameter's labels now (label ->
 * version): the labels to attach (moved from another version if there), the ones refused as
 * invalid, or ParameterVersionLabelLimitExceeded when the version would hold more than 10.
 */
export function planLabels(current: ReadonlyMap<string, number>, version: number, labels: readonly string[]): { attach: string[]; invalid: string[] } {
  const attach = [...new Set(labels.filter(isValidLabel))];
  const invalid = [...new Set(labels.filter((l) => !isValidLabel(l)))];
  const onVersion = new Set([...current].filter(([, v]) => v === version).map(([l]) => l));
  for (const l of attach) onVersion.add(l);
  if (onVersion.size > MAX_LABELS_PER_VERSION) throw labelLimitExceeded();
  return { attach, invalid };
}

/** What UnlabelParameterVersion removes from `version`: labels on it; the others are InvalidLabels. */
export function planUnlabel(current: ReadonlyMap<string, number>, version: number, labels: readonly string[]): { remove: string[]; invalid: string[] } {
  const unique = [...new Set(labels)];
  return { remove: unique.filter((l) => current.get(l) === version), invalid: unique.filter((l) => current.get(l) !== version) };
}

/**
 * The version a new one pushes out of the history (the oldest, once 100 are kept), or
 * ParameterMaxVersionLimitExceeded when that one is labelled.
 */
export function versionToDrop(name: string, versions: readonly number[], labelled: ReadonlySet<number>): number | undefined {
  if (versions.length < MAX_VERSIONS) return undefined;
  const oldest = Math.min(...versions);
  if (labelled.has(oldest)) throw maxVersionsExceeded(name, oldest);
  return oldest;
}
