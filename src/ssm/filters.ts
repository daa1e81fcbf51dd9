import { invalidFilterKey, invalidFilterOption, invalidFilterValue, validation } from "./errors.js";
import { checkPath, isUnderPath } from "./names.js";

/*
 * DescribeParameters' and GetParametersByPath's filters, as SSM reads them: ParameterFilters
 * (Key, Option, Values) and DescribeParameters' older Filters (Key, Values). Each parses to a
 * predicate over a parameter's latest version; a parameter is listed when every one holds.
 */

/** What a filter reads of a parameter. */
export interface FilterSubject {
  name: string;
  type: string;
  keyId: string | undefined;
  tier: string;
  dataType: string;
  /** Every label of any of its versions. */
  labels: ReadonlySet<string>;
  tags(): Readonly<Record<string, string>>;
}

export type ParameterPredicate = (p: FilterSubject) => boolean;

export interface StringFilterInput {
  Key?: string;
  Option?: string;
  Values?: string[];
}

export type FilterUse = "describe" | "byPath";

const TYPES = ["String", "StringList", "SecureString"];
const TIERS = ["Standard", "Advanced", "Intelligent-Tiering"];
const KEYS: Record<FilterUse, readonly string[]> = {
  describe: ["Name", "Type", "KeyId", "Path", "Tier", "DataType"],
  byPath: ["Type", "KeyId", "Label"],
};

function optionsOf(key: string, use: FilterUse): readonly string[] {
  if (key === "Path") return ["Recursive", "OneLevel"];
  if (key === "Label") return ["Equals"];
  if (key === "Name" && use === "describe") return ["Equals", "BeginsWith", "Contains"];
  return ["Equals", "BeginsWith"];
}

const compare = (option: string, have: string | undefined, values: readonly string[]): boolean =>
  have !== undefined &&
  values.some((v) => (option === "BeginsWith" ? have.startsWith(v) : option === "Contains" ? have.includes(v) : have === v));

/** Names compare without a single name's leading slash, as they are kept. */
const bareName = (v: string): string => (v.startsWith("/") && !v.slice(1).includes("/") ? v.slice(1) : v);

function predicateOf(f: StringFilterInput, use: FilterUse): ParameterPredicate {
  const key = f.Key ?? "";
  const tag = key.startsWith("tag:") ? key.slice(4) : undefined;
  if (tag !== undefined ? use !== "describe" || tag.length === 0 : !KEYS[use].includes(key)) {
    throw invalidFilterKey(`The following filter key is not valid: ${key}. Valid filter keys include: [${[...KEYS[use], ...(use === "describe" ? ["tag:<key>"] : [])].join(", ")}].`);
  }
  const options = tag !== undefined ? ["Equals"] : optionsOf(key, use);
  const option = f.Option ?? (key === "Path" ? "OneLevel" : "Equals");
  if (!options.includes(option)) throw invalidFilterOption(`The following filter option is not valid: ${option}. Valid options include: [${options.join(", ")}].`);
  const values = f.Values ?? [];
  if (tag !== undefined) {
    return (p) => {
      const v = p.tags()[tag];
      return v !== undefined && (values.length === 0 || values.includes(v));
    };
  }
  if (values.length === 0) throw invalidFilterValue(`The following filter values are missing : null for filter key ${key}.`);
  const enumOf = key === "Type" ? TYPES : key === "Tier" ? TIERS : undefined;
  const wrong = enumOf && option === "Equals" ? values.find((v) => !enumOf.includes(v)) : undefined;
  if (wrong !== undefined) throw invalidFilterValue(`The following filter value is not valid: ${wrong}. Valid values include: [${(enumOf ?? []).join(", ")}].`);
  switch (key) {
    case "Name":
      return (p) => compare(option, p.name, values.map(bareName));
    case "Type":
      return (p) => compare(option, p.type, values);
    case "KeyId":
      return (p) => compare(option, p.keyId, values);
    case "Tier":
      return (p) => compare(option, p.tier, values);
    case "DataType":
      return (p) => compare(option, p.dataType, values);
    case "Label":
      return (p) => values.some((v) => p.labels.has(v));
    default: {
      const paths = values.map((v) => {
        try {
          return checkPath(v);
        } catch {
          throw invalidFilterValue(`The following filter value is not valid: ${v}. Valid values include: [a path beginning with "/"].`);
        }
      });
      return (p) => paths.some((path) => isUnderPath(p.name, path, option === "Recursive"));
    }
  }
}

/** ParameterFilters of DescribeParameters or GetParametersByPath, each key at most once. */
export function parseStringFilters(filters: readonly StringFilterInput[] | undefined, use: FilterUse): ParameterPredicate[] {
  const list = filters ?? [];
  const keys = list.map((f) => f.Key ?? "");
  const repeated = keys.find((k, i) => keys.indexOf(k) !== i);
  if (repeated !== undefined) throw invalidFilterKey(`The following filter is duplicated in the request: ${repeated}. A request can contain only one occurrence of a specific filter.`);
  return list.map((f) => predicateOf(f, use));
}

/** DescribeParameters' older Filters: Name (begins with), Type and KeyId (equal). */
export function parseLegacyFilters(filters: readonly { Key?: string; Values?: string[] }[] | undefined): ParameterPredicate[] {
  return (filters ?? []).map((f) => {
    const key = f.Key ?? "";
    if (!["Name", "Type", "KeyId"].includes(key)) throw invalidFilterKey(`The following filter key is not valid: ${key}. Valid filter keys include: [Name, Type, KeyId].`);
    return predicateOf({ Key: key, Option: key === "Name" ? "BeginsWith" : "Equals", Values: f.Values }, "describe");
  });
}

/** DescribeParameters takes one kind of filter or the other, not both. */
export function describeFilters(input: { Filters?: { Key?: string; Values?: string[] }[]; ParameterFilters?: StringFilterInput[] }): ParameterPredicate[] {
  if (input.Filters !== undefined && input.ParameterFilters !== undefined) {
    throw validation("You can use either Filters or ParameterFilters in a single request.");
  }
  return input.Filters !== undefined ? parseLegacyFilters(input.Filters) : parseStringFilters(input.ParameterFilters, "describe");
}
