import type { ControlPlaneConfig } from "../../../domain/config.js";
import type { GroupRow, StreamRow } from "../store/rows.js";

export const logGroupArn = (c: ControlPlaneConfig, name: string): string => `arn:aws:logs:${c.region}:${c.accountId}:log-group:${name}`;

/** A log group as DescribeLogGroups returns it (`arn` ends in `:*`, `logGroupArn` does not). */
export function groupShape(c: ControlPlaneConfig, g: GroupRow): Record<string, unknown> {
  const arn = logGroupArn(c, g.name);
  return {
    logGroupName: g.name,
    creationTime: g.createdAt,
    ...(g.retentionDays === null ? {} : { retentionInDays: g.retentionDays }),
    metricFilterCount: 0,
    arn: `${arn}:*`,
    storedBytes: g.storedBytes,
    logGroupClass: "STANDARD",
    logGroupArn: arn,
  };
}

/** Timestamps are left out until the stream has events, as CloudWatch Logs does. */
export function streamShape(c: ControlPlaneConfig, groupName: string, s: StreamRow): Record<string, unknown> {
  return {
    logStreamName: s.name,
    creationTime: s.createdAt,
    ...(s.firstEventTime === null ? {} : { firstEventTimestamp: s.firstEventTime }),
    ...(s.lastEventTime === null ? {} : { lastEventTimestamp: s.lastEventTime }),
    ...(s.lastIngestionTime === null ? {} : { lastIngestionTime: s.lastIngestionTime }),
    arn: `${logGroupArn(c, groupName)}:log-stream:${s.name}`,
    storedBytes: s.storedBytes,
  };
}
