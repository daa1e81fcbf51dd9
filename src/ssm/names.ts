import { AppRunnerError } from "../errors/app-runner-error.js";
import { hierarchyLevelLimitExceeded, MAX_HIERARCHY_LEVELS, parameterNotFound, validation } from "./errors.js";

/*
 * Parameter names as Parameter Store takes them: a single name (`db-password`) or a path of up to
 * 15 levels (`/prod/db/password`), each level letters, digits and `.-_`; nothing prefixed with
 * "aws" or "ssm" (any case). A single name given with a leading slash is the same parameter
 * (AWS keeps it without one), so a name and its ARN map one to one:
 * `arn:aws:ssm:<region>:<account>:parameter/<name without its leading slash>`.
 */

const SEGMENT = /^[a-zA-Z0-9_.-]+$/;
/** AWS counts the whole ARN against this limit, not only the name. */
export const MAX_ARN_LENGTH = 1011;

export const NAME_RULES =
  'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_';

export const PATH_RULES =
  'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/". It can\'t be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.';

export interface Place {
  region: string;
  accountId: string;
}

export const parameterArn = (place: Place, name: string): string => `arn:aws:ssm:${place.region}:${place.accountId}:parameter/${name.replace(/^\//, "")}`;

/** The levels of a name or path ("/a/b" has two, "a" one, "/" none). */
const levelsOf = (name: string): string[] => name.replace(/^\//, "").split("/").filter((s, i, all) => !(all.length === 1 && s === ""));

/**
 * The name a parameter is kept under, or SSM's ValidationException / AccessDenied /
 * HierarchyLevelLimitExceeded for a name PutParameter refuses.
 */
export function canonicalName(name: string, place: Place): string {
  if (name.length === 0) throw validation("Parameter name must not be empty.");
  if (name.includes("/") && !name.startsWith("/")) throw validation("Parameter name must be a fully qualified name.");
  if (name.length > 1 && name.endsWith("/")) throw validation("Parameter name must not end with slash.");
  const levels = levelsOf(name);
  if (levels.length === 0 || levels.some((l) => !SEGMENT.test(l))) throw validation(NAME_RULES);
  const first = (levels[0] ?? "").toLowerCase();
  if (first.startsWith("aws") && levels.length > 1) throw new AppRunnerError("AccessDenied", `No access to reserved parameter name: ${name}.`);
  if (first.startsWith("aws") || first.startsWith("ssm")) throw validation(NAME_RULES);
  if (levels.length > MAX_HIERARCHY_LEVELS) throw hierarchyLevelLimitExceeded();
  const canonical = levels.length === 1 ? levels[0] ?? "" : `/${levels.join("/")}`;
  if (parameterArn(place, canonical).length > MAX_ARN_LENGTH) {
    throw validation(`Parameter name must not exceed ${MAX_ARN_LENGTH} characters including the full length of the parameter ARN.`);
  }
  return canonical;
}

/** How a read names one version: the latest, a version number, or a label. */
export type Selector = { kind: "latest" } | { kind: "version"; version: number } | { kind: "label"; label: string };

export interface ParameterReference {
  /** The name as kept (a single name without a leading slash). */
  name: string;
  selector: Selector;
  /** `:3` or `:label`, as GetParameter answers it in Selector. */
  selectorText?: string;
}

const ARN = /^arn:aws[a-z-]*:ssm:([^:]*):([^:]*):parameter\/(.+)$/;

/**
 * A read's reference: a name, `/path/name`, a parameter ARN of this account and region, each
 * optionally followed by `:<version>` or `:<label>`. A malformed one is SSM's
 * ValidationException; an ARN of another account or region is a parameter this endpoint cannot
 * have (ParameterNotFound).
 */
export function parseReference(raw: string, place: Place): ParameterReference {
  let rest = raw;
  const arn = ARN.exec(raw);
  if (arn) {
    if (arn[1] !== place.region || arn[2] !== place.accountId) throw parameterNotFound(raw);
    const tail = arn[3] ?? "";
    rest = tail.includes("/") ? `/${tail}` : tail;
  }
  const colon = rest.indexOf(":");
  const namePart = colon < 0 ? rest : rest.slice(0, colon);
  const selectorPart = colon < 0 ? undefined : rest.slice(colon + 1);
  if (namePart.includes("/") && !namePart.startsWith("/")) throw validation(NAME_RULES);
  const levels = levelsOf(namePart);
  if (levels.length === 0 || levels.some((l) => !SEGMENT.test(l)) || (namePart.length > 1 && namePart.endsWith("/"))) throw validation(NAME_RULES);
  const name = levels.length === 1 ? levels[0] ?? "" : `/${levels.join("/")}`;
  if (selectorPart === undefined) return { name, selector: { kind: "latest" } };
  if (/^[0-9]+$/.test(selectorPart)) {
    const version = Number(selectorPart);
    if (!Number.isSafeInteger(version) || version < 1) throw validation(`Invalid parameter version: ${selectorPart}`);
    return { name, selector: { kind: "version", version }, selectorText: `:${selectorPart}` };
  }
  if (selectorPart.length === 0 || selectorPart.includes(":")) throw validation(NAME_RULES);
  return { name, selector: { kind: "label", label: selectorPart }, selectorText: `:${selectorPart}` };
}

/** The parameter a call about the whole parameter names (delete, history, labels): a name or ARN without a selector. */
export function parameterNameOf(raw: string, place: Place): string {
  const ref = parseReference(raw, place);
  if (ref.selector.kind !== "latest") throw validation(NAME_RULES);
  return ref.name;
}

/** A GetParametersByPath path (or a DescribeParameters Path filter value), without a trailing slash; "/" is the root. */
export function checkPath(path: string): string {
  if (!path.startsWith("/")) throw validation(PATH_RULES);
  if (path === "/") return path;
  const trimmed = path.endsWith("/") ? path.slice(0, -1) : path;
  const levels = levelsOf(trimmed);
  if (levels.length === 0 || levels.some((l) => !SEGMENT.test(l))) throw validation(PATH_RULES);
  if (levels.length > MAX_HIERARCHY_LEVELS) throw hierarchyLevelLimitExceeded();
  return `/${levels.join("/")}`;
}

/**
 * Whether a parameter is under a path: one level down (its name is the path plus one level), or
 * any depth with `recursive`. The root "/" holds the single names, and everything recursively.
 */
export function isUnderPath(name: string, path: string, recursive: boolean): boolean {
  if (path === "/") return recursive || !name.includes("/");
  if (!name.startsWith(`${path}/`)) return false;
  return recursive || !name.slice(path.length + 1).includes("/");
}
