import { handler, type OperationHandler } from "../../../domain/api-context.js";
import { AppRunnerError } from "../../../errors/app-runner-error.js";
import { isRetentionDays, RETENTION_DAYS } from "../retention.js";
import type { StreamOrder } from "../store/catalog-queries.js";
import type { LogStore } from "../store/log-store.js";
import { invalidParameter, LOG_GROUP_NAME, LOG_STREAM_NAME, LogsInput } from "./input.js";
import { readGroupName, requireGroup, requireStream } from "./resolve.js";
import { groupShape, streamShape } from "./shapes.js";
import { decodeNameToken, encodeNameToken } from "./tokens.js";

const DESCRIBE_LIMIT = { min: 1, max: 50 } as const;

/** Log groups and streams: listing, creating, deleting, and retention policies. */
export function catalogOperations(store: LogStore): Record<string, OperationHandler> {
  return {
    DescribeLogGroups: handler<Record<string, unknown>>((raw, ctx) => {
      const input = new LogsInput(raw);
      const prefix = input.string("logGroupNamePrefix", LOG_GROUP_NAME);
      const pattern = input.string("logGroupNamePattern", { min: 0, max: 512, pattern: "[\\.\\-_/#A-Za-z0-9]*" });
      const limit = input.integer("limit", DESCRIBE_LIMIT) ?? 50;
      const token = input.string("nextToken", { min: 1 });
      input.check();
      if (prefix !== undefined && pattern !== undefined) {
        throw invalidParameter("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");
      }
      const rows = store.catalog.groups({
        prefix,
        contains: pattern === "" ? undefined : pattern,
        afterName: token === undefined ? undefined : decodeNameToken(token).name,
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        logGroups: page.map((g) => groupShape(ctx.config, g)),
        ...(rows.length > limit && last ? { nextToken: encodeNameToken(last.name) } : {}),
      };
    }),

    DescribeLogStreams: handler<Record<string, unknown>>((raw, ctx) => {
      const input = new LogsInput(raw);
      const prefix = input.string("logStreamNamePrefix", LOG_STREAM_NAME);
      const orderBy: StreamOrder = input.enumeration("orderBy", ["LogStreamName", "LastEventTime"] as const) ?? "LogStreamName";
      const descending = input.boolean("descending") ?? false;
      const limit = input.integer("limit", DESCRIBE_LIMIT) ?? 50;
      const token = input.string("nextToken", { min: 1 });
      const groupName = readGroupName(input, ctx.config, { identifier: true });
      if (orderBy === "LastEventTime" && prefix !== undefined) {
        throw invalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.");
      }
      const group = requireGroup(store, groupName);
      const after = token === undefined ? undefined : decodeNameToken(token);
      const rows = store.catalog.streams({
        groupId: group.id,
        prefix,
        orderBy,
        descending,
        after: after && { name: after.name, lastEventTime: after.time ?? 0 },
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const next = last && rows.length > limit ? encodeNameToken(last.name, orderBy === "LastEventTime" ? (last.lastEventTime ?? 0) : undefined) : undefined;
      return { logStreams: page.map((s) => streamShape(ctx.config, group.name, s)), ...(next ? { nextToken: next } : {}) };
    }),

    CreateLogGroup: handler<Record<string, unknown>>((raw) => {
      const input = new LogsInput(raw);
      const name = input.string("logGroupName", { ...LOG_GROUP_NAME, required: true }) ?? "";
      input.string("kmsKeyId", { max: 256 });
      input.check();
      if (!store.createGroup(name)) throw new AppRunnerError("ResourceAlreadyExists", "The specified log group already exists");
      return {};
    }),

    CreateLogStream: handler<Record<string, unknown>>((raw) => {
      const input = new LogsInput(raw);
      const groupName = input.string("logGroupName", { ...LOG_GROUP_NAME, required: true }) ?? "";
      const name = input.string("logStreamName", { ...LOG_STREAM_NAME, required: true }) ?? "";
      input.check();
      if (!store.createStream(requireGroup(store, groupName), name)) {
        throw new AppRunnerError("ResourceAlreadyExists", "The specified log stream already exists");
      }
      return {};
    }),

    DeleteLogGroup: handler<Record<string, unknown>>((raw) => {
      const input = new LogsInput(raw);
      const name = input.string("logGroupName", { ...LOG_GROUP_NAME, required: true }) ?? "";
      input.check();
      store.deleteGroup(requireGroup(store, name));
      return {};
    }),

    DeleteLogStream: handler<Record<string, unknown>>((raw) => {
      const input = new LogsInput(raw);
      const groupName = input.string("logGroupName", { ...LOG_GROUP_NAME, required: true }) ?? "";
      const name = input.string("logStreamName", { ...LOG_STREAM_NAME, required: true }) ?? "";
      input.check();
      store.deleteStream(requireStream(store, requireGroup(store, groupName), name));
      return {};
    }),

    PutRetentionPolicy: handler<Record<string, unknown>>((raw) => {
      const input = new LogsInput(raw);
      const name = input.string("logGroupName", { ...LOG_GROUP_NAME, required: true }) ?? "";
      const days = input.integer("retentionInDays", { required: true });
      if (days !== undefined && !isRetentionDays(days)) {
        input.violate(days, "retentionInDays", `satisfy enum value set: [${RETENTION_DAYS.join(", ")}]`);
      }
      input.check();
      store.setRetention(requireGroup(store, name), days ?? null);
      return {};
    }),

    DeleteRetentionPolicy: handler<Record<string, unknown>>((raw) => {
      const input = new LogsInput(raw);
      const name = input.string("logGroupName", { ...LOG_GROUP_NAME, required: true }) ?? "";
      input.check();
      store.setRetention(requireGroup(store, name), null);
      return {};
    }),
  };
}
