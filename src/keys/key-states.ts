import type { KeyState } from "./key-service.js";

/** What a KMS call asks of a key's state. */
export type KeyChange = "enable" | "disable" | "scheduleDeletion" | "cancelDeletion";

/** Why a change is refused: KMS's KMSInvalidStateException (pending or not), or an AWS managed key, which nobody may change. */
export type ChangeRefusal = "pendingDeletion" | "notPendingDeletion" | "awsManaged";

/**
 * KMS's state machine for symmetric keys: enable and disable are idempotent and refused while
 * the key is pending deletion; scheduling deletion is refused once scheduled; cancelling leaves
 * the key Disabled (as KMS does: the owner enables it again on purpose). AWS managed keys are
 * never disabled or deleted.
 */
export function nextState(current: KeyState, manager: "AWS" | "CUSTOMER", change: KeyChange): { state: KeyState } | { refused: ChangeRefusal } {
  if (manager === "AWS") return { refused: "awsManaged" };
  switch (change) {
    case "enable":
      return current === "PendingDeletion" ? { refused: "pendingDeletion" } : { state: "Enabled" };
    case "disable":
      return current === "PendingDeletion" ? { refused: "pendingDeletion" } : { state: "Disabled" };
    case "scheduleDeletion":
      return current === "PendingDeletion" ? { refused: "pendingDeletion" } : { state: "PendingDeletion" };
    case "cancelDeletion":
      return current === "PendingDeletion" ? { state: "Disabled" } : { refused: "notPendingDeletion" };
  }
}

/** Whether a key in `state` may encrypt or decrypt: KMS's DisabledException and KMSInvalidStateException otherwise. */
export function usability(state: KeyState): "usable" | "disabled" | "pendingDeletion" {
  return state === "Enabled" ? "usable" : state === "Disabled" ? "disabled" : "pendingDeletion";
}

export const MIN_PENDING_WINDOW_DAYS = 7;
export const MAX_PENDING_WINDOW_DAYS = 30;
export const DEFAULT_PENDING_WINDOW_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/** When a key scheduled at `now` is deleted; undefined for a window KMS refuses (7 to 30 days). */
export function deletionDate(now: number, windowDays: number): number | undefined {
  if (!Number.isInteger(windowDays) || windowDays < MIN_PENDING_WINDOW_DAYS || windowDays > MAX_PENDING_WINDOW_DAYS) return undefined;
  return now + windowDays * DAY_MS;
}
