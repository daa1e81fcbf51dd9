import type { ControlPlaneConfig } from "../../../domain/config.js";
import { AppRunnerError } from "../../../errors/app-runner-error.js";
import type { LogStore } from "../store/log-store.js";
import type { GroupRow, StreamRow } from "../store/rows.js";
import { invalidParameter, LOG_GROUP_IDENTIFIER, LOG_GROUP_NAME, type LogsInput } from "./input.js";

export const groupNotFound = (): AppRunnerError => new AppRunnerError("ResourceNotFound", "The specified log group does not exist.");
export const streamNotFound = (): AppRunnerError => new AppRunnerError("ResourceNotFound", "The specified log stream does not exist.");

/** logGroupIdentifier takes a name or this account's log group ARN (the model's pattern allows no `:*` suffix). */
function nameFromIdentifier(c: ControlPlaneConfig, identifier: string): string {
  if (!identifier.startsWith("arn:")) return identifier;
  const m = /^arn:aws:logs:([^:]*):(\d{12}):log-group:(.+)$/.exec(identifier);
  if (!m?.[3] || m[1] !== c.region || m[2] !== c.accountId) throw groupNotFound();
  return m[3];
}

/** Reads logGroupName, or logGroupIdentifier where the operation has one: exactly one of them. */
export function readGroupName(input: LogsInput, c: ControlPlaneConfig, opts: { identifier: boolean }): string {
  const name = input.string("logGroupName", LOG_GROUP_NAME);
  const identifier = opts.identifier ? input.string("logGroupIdentifier", LOG_GROUP_IDENTIFIER) : undefined;
  if (!opts.identifier && name === undefined) input.violate(null, "logGroupName", "not be null");
  input.check();
  if (name !== undefined && identifier !== undefined) {
    throw invalidParameter("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
  }
  if (name !== undefined) return name;
  if (identifier !== undefined) return nameFromIdentifier(c, identifier);
  throw invalidParameter("Should provide either logGroupName or logGroupIdentifier.");
}

export function requireGroup(store: LogStore, name: string): GroupRow {
  const g = store.catalog.group(name);
  if (!g) throw groupNotFound();
  return g;
}

export function requireStream(store: LogStore, group: GroupRow, name: string): StreamRow {
  const s = store.catalog.stream(group.id, name);
  if (!s) throw streamNotFound();
  return s;
}
