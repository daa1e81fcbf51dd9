import { AppRunnerError } from "../errors/app-runner-error.js";
import type { Tag } from "../store/tags.js";

/*
 * ListSecrets' Filters, as Secrets Manager documents them: name, tag-key, tag-value (prefix,
 * case-sensitive), description (prefix, not case-sensitive), all (each word of the value
 * against every attribute, not case-sensitive). A value starting with `!` negates. Values of
 * one filter are alternatives; filters all apply.
 */

export interface SecretFilter {
  Key?: string;
  Values?: string[];
}

export interface Filterable {
  name: string;
  description: string | undefined;
  tags: readonly Tag[];
  region: string;
}

const KEYS = new Set(["description", "name", "tag-key", "tag-value", "primary-region", "owning-service", "all"]);

const startsWith = (text: string, prefix: string, caseSensitive: boolean): boolean =>
  caseSensitive ? text.startsWith(prefix) : text.toLowerCase().startsWith(prefix.toLowerCase());

function matchesValue(key: string, value: string, s: Filterable): boolean {
  switch (key) {
    case "name":
      return startsWith(s.name, value, true);
    case "description":
      return s.description !== undefined && startsWith(s.description, value, false);
    case "tag-key":
      return s.tags.some((t) => startsWith(t.Key, value, true));
    case "tag-value":
      return s.tags.some((t) => startsWith(t.Value, value, true));
    case "primary-region":
      return startsWith(s.region, value, true);
    case "owning-service":
      return false;
    default: {
      const attributes = [s.name, s.description ?? "", ...s.tags.flatMap((t) => [t.Key, t.Value])].flatMap((a) => a.split(/[\s/_.:=+@-]+/).concat(a));
      const words = value.split(/\s+/).filter((w) => w !== "");
      return words.every((w) => attributes.some((a) => startsWith(a, w, false)));
    }
  }
}

/** Checks the filters as Secrets Manager does (a key and at least one value each). */
export function checkFilters(filters: readonly SecretFilter[]): void {
  for (const f of filters) {
    if (f.Key === undefined || !KEYS.has(f.Key)) throw new AppRunnerError("InvalidParameter", "Invalid filter key");
    if (f.Values === undefined || f.Values.length === 0) throw new AppRunnerError("InvalidParameter", `Invalid filter values for key: ${f.Key}`);
  }
}

/** Whether a secret passes every filter. */
export function matchesFilters(filters: readonly SecretFilter[], s: Filterable): boolean {
  return filters.every((f) => {
    const key = f.Key ?? "all";
    return (f.Values ?? []).some((raw) => {
      const negated = raw.startsWith("!");
      const hit = matchesValue(key, negated ? raw.slice(1) : raw, s);
      return negated ? !hit : hit;
    });
  });
}
