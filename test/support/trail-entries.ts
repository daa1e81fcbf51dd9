import type { TrailEntry } from "../../src/telemetry/audit/cloudtrail-event.js";

/** A recorded DescribeService by root, numbered `n` (its event id and its event's body), at `time`. */
export function trailEntry(n: number, time: number, over: Partial<TrailEntry> = {}): TrailEntry {
  return {
    eventId: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    eventTime: time,
    eventName: "DescribeService",
    eventSource: "apprunner.amazonaws.com",
    readOnly: true,
    username: "root",
    accessKeyId: "AKIAROOT",
    resources: [],
    event: JSON.stringify({ n }),
    ...over,
  };
}

/** The numbers of the entries trailEntry made, in the order given. */
export const entryNumbers = (rows: readonly { event: string }[]): number[] => rows.map((r) => (JSON.parse(r.event) as { n: number }).n);
