import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { KeyRecord } from "../../keys/key-administration.js";
import type { KeyChange } from "../../keys/key-states.js";
import type { Tag } from "../../store/tags.js";
import type { KmsHandler } from "./env.js";
import { keyIdOf, limitOf, page, seconds, text } from "./input.js";
import { kmsTags } from "./tags.js";

/** A key as DescribeKey and CreateKey answer with it (KeyMetadata). */
export function keyMetadata(k: KeyRecord): Record<string, unknown> {
  return {
    AWSAccountId: k.accountId,
    KeyId: k.keyId,
    Arn: k.arn,
    CreationDate: seconds(k.createdAt),
    Enabled: k.enabled,
    Description: k.description,
    KeyUsage: k.keyUsage,
    KeyState: k.state,
    ...(k.deletionDate !== undefined ? { DeletionDate: seconds(k.deletionDate) } : {}),
    ...(k.pendingWindowDays !== undefined ? { PendingDeletionWindowInDays: k.pendingWindowDays } : {}),
    Origin: "AWS_KMS",
    KeyManager: k.manager,
    CustomerMasterKeySpec: k.keySpec,
    KeySpec: k.keySpec,
    EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"],
    MultiRegion: false,
  };
}

const unsupported = (what: string): AppRunnerError =>
  new AppRunnerError("KmsUnsupportedOperation", `${what} is not supported: OpenRunner's KMS makes symmetric encryption keys (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT) of origin AWS_KMS.`);

interface CreateKeyInput {
  Description?: string;
  Policy?: string;
  KeyUsage?: string;
  KeySpec?: string;
  CustomerMasterKeySpec?: string;
  Origin?: string;
  MultiRegion?: boolean;
  CustomKeyStoreId?: string;
  Tags?: { TagKey?: string; TagValue?: string }[];
}

const createKey: KmsHandler = (raw, _ctx, env) => {
  const input = raw as CreateKeyInput;
  if (input.KeyUsage !== undefined && input.KeyUsage !== "ENCRYPT_DECRYPT") throw unsupported(`KeyUsage ${input.KeyUsage}`);
  for (const spec of [input.KeySpec, input.CustomerMasterKeySpec]) if (spec !== undefined && spec !== "SYMMETRIC_DEFAULT") throw unsupported(`KeySpec ${spec}`);
  if (input.Origin !== undefined && input.Origin !== "AWS_KMS") throw unsupported(`Origin ${input.Origin}`);
  if (input.MultiRegion === true) throw unsupported("A multi-Region key");
  if (input.CustomKeyStoreId !== undefined) throw unsupported("A custom key store");
  const description = text(input.Description, "description", 8192, 0) ?? "";
  const policy = text(input.Policy, "policy", 32768);
  const tags: Tag[] = kmsTags(input.Tags ?? []);
  const key = env.keys.createKey({ description, ...(policy !== undefined ? { policy } : {}), tags });
  return { KeyMetadata: keyMetadata(key) };
};

const describeKey: KmsHandler = (raw, _ctx, env) => ({ KeyMetadata: keyMetadata(env.keys.record(keyIdOf((raw as { KeyId?: string }).KeyId))) });

const listKeys: KmsHandler = (raw, _ctx, env) => {
  const input = raw as { Limit?: number; Marker?: string };
  const { items, next } = page(env.keys.list(), (k) => k.keyId, limitOf(input.Limit), input.Marker);
  return { Keys: items.map((k) => ({ KeyId: k.keyId, KeyArn: k.arn })), Truncated: next !== undefined, ...(next !== undefined ? { NextMarker: next } : {}) };
};

const stateChange =
  (change: KeyChange): KmsHandler =>
  (raw, _ctx, env) => {
    env.keys.change(keyIdOf((raw as { KeyId?: string }).KeyId), change);
    return {};
  };

const scheduleKeyDeletion: KmsHandler = (raw, _ctx, env) => {
  const input = raw as { KeyId?: string; PendingWindowInDays?: number };
  const key = env.keys.change(keyIdOf(input.KeyId), "scheduleDeletion", input.PendingWindowInDays);
  return {
    KeyId: key.arn,
    DeletionDate: seconds(key.deletionDate ?? 0),
    KeyState: key.state,
    PendingWindowInDays: key.pendingWindowDays,
  };
};

const cancelKeyDeletion: KmsHandler = (raw, _ctx, env) => ({ KeyId: env.keys.change(keyIdOf((raw as { KeyId?: string }).KeyId), "cancelDeletion").arn });

export const keyOperations: Record<string, KmsHandler> = {
  CreateKey: createKey,
  DescribeKey: describeKey,
  ListKeys: listKeys,
  EnableKey: stateChange("enable"),
  DisableKey: stateChange("disable"),
  ScheduleKeyDeletion: scheduleKeyDeletion,
  CancelKeyDeletion: cancelKeyDeletion,
};
