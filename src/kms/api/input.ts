import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { EncryptionContext } from "../../keys/key-service.js";

/*
 * KMS's input checks in KMS's words (ValidationException "1 validation error detected: ..."):
 * the model checks only JSON types, the handlers check what KMS's own front door checks.
 */

export const validation = (path: string, constraint: string, value?: unknown, sensitive = false): AppRunnerError =>
  new AppRunnerError(
    "KmsValidation",
    `1 validation error detected: ${value === undefined ? "Value null" : sensitive ? "Value" : `Value '${String(value)}'`} at '${path}' failed to satisfy constraint: Member must ${constraint}`,
  );

export function required<T>(value: T | undefined, path: string): T {
  if (value === undefined || value === null) throw validation(path, "not be null");
  return value;
}

/** A string member within KMS's length bounds. */
export function text(value: string | undefined, path: string, max: number, min = 1): string | undefined {
  if (value === undefined) return undefined;
  if (value.length < min) throw validation(path, `have length greater than or equal to ${min}`, value);
  if (value.length > max) throw validation(path, `have length less than or equal to ${max}`, value);
  return value;
}

export const keyIdOf = (value: string | undefined, path = "keyId"): string => required(text(value, path, 2048), path);

/** A blob member (base64 on the wire) within KMS's size bounds; its value never in a message. */
export function blob(value: string | undefined, path: string, max: number): Buffer {
  const bytes = Buffer.from(required(value, path), "base64");
  if (bytes.length < 1) throw validation(path, "have length greater than or equal to 1", undefined, true);
  if (bytes.length > max) throw validation(path, `have length less than or equal to ${max}`, undefined, true);
  return bytes;
}

export function encryptionAlgorithm(value: string | undefined): void {
  if (value !== undefined && value !== "SYMMETRIC_DEFAULT") {
    throw new AppRunnerError("KmsInvalidKeyUsage", `The encryption algorithm ${value} is not valid for a SYMMETRIC_DEFAULT key: use SYMMETRIC_DEFAULT.`);
  }
}

export const contextOf = (value: Record<string, string> | undefined): EncryptionContext | undefined => value;

/** KMS's Limit: 1 to 1000, 100 by default (ListKeys answers up to 1000 either way). */
export function limitOf(value: number | undefined): number {
  if (value === undefined) return 100;
  if (value < 1 || value > 1000) throw validation("limit", "have value between 1 and 1000", value);
  return value;
}

/** One page after `marker` (the last item of the page before), and the marker of the next one. */
export function page<T>(items: readonly T[], idOf: (item: T) => string, limit: number, marker: string | undefined): { items: T[]; next?: string } {
  const start = marker === undefined ? 0 : items.findIndex((i) => idOf(i) > marker);
  const rest = start < 0 ? [] : items.slice(start);
  const out = rest.slice(0, limit);
  const last = out[out.length - 1];
  return rest.length > limit && last !== undefined ? { items: out, next: idOf(last) } : { items: out };
}

export const seconds = (ms: number): number => ms / 1000;
