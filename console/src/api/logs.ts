import {
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  type CloudWatchLogsClient,
  type LogStream,
} from "@aws-sdk/client-cloudwatch-logs";
import type { Service } from "@aws-sdk/client-apprunner";

/** App Runner's log groups of a service (developer guide, "Logs (CloudWatch Logs)"). */
export function logGroups(s: Service): { service: string; application: string } {
  const base = `/aws/apprunner/${s.ServiceName ?? ""}/${s.ServiceId ?? ""}`;
  return { service: `${base}/service`, application: `${base}/application` };
}

export interface LogLine {
  key: string;
  timestamp: number;
  message: string;
  stream?: string;
}

/** A group or stream not created yet (no event so far) reads as empty, not as an error. */
const emptyIfMissing = (err: unknown): LogLine[] => {
  if (err instanceof Error && err.name === "ResourceNotFoundException") return [];
  throw err;
};

/** The newest `limit` lines of one stream, oldest first. */
export async function streamTail(client: CloudWatchLogsClient, group: string, stream: string, limit = 200): Promise<LogLine[]> {
  try {
    const out = await client.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: false, limit }));
    return (out.events ?? []).map((e, i) => ({ key: `${e.timestamp ?? 0}-${i}`, timestamp: e.timestamp ?? 0, message: e.message ?? "" }));
  } catch (err) {
    return emptyIfMissing(err);
  }
}

/** A whole stream from its head (for opening and downloading a deployment log). */
export async function wholeStream(client: CloudWatchLogsClient, group: string, stream: string): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  let token: string | undefined;
  try {
    for (let page = 0; page < 20; page++) {
      const out = await client.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true, nextToken: token }));
      for (const e of out.events ?? []) lines.push({ key: `${lines.length}`, timestamp: e.timestamp ?? 0, message: e.message ?? "" });
      if (!out.nextForwardToken || out.nextForwardToken === token || (out.events ?? []).length === 0) break;
      token = out.nextForwardToken;
    }
  } catch (err) {
    return emptyIfMissing(err);
  }
  return lines;
}

/** Lines of many streams merged by time (application logs combined across instances). */
export async function groupTail(client: CloudWatchLogsClient, group: string, streamPrefix: string | undefined, sinceMs: number): Promise<LogLine[]> {
  try {
    const out = await client.send(new FilterLogEventsCommand({ logGroupName: group, logStreamNamePrefix: streamPrefix, startTime: sinceMs, limit: 500 }));
    return (out.events ?? []).map((e) => ({ key: e.eventId ?? `${e.timestamp ?? 0}`, timestamp: e.timestamp ?? 0, message: e.message ?? "", stream: e.logStreamName }));
  } catch (err) {
    return emptyIfMissing(err);
  }
}

export async function instanceStreams(client: CloudWatchLogsClient, group: string): Promise<LogStream[]> {
  try {
    const out = await client.send(new DescribeLogStreamsCommand({ logGroupName: group, logStreamNamePrefix: "instance/" }));
    return out.logStreams ?? [];
  } catch (err) {
    if (err instanceof Error && err.name === "ResourceNotFoundException") return [];
    throw err;
  }
}

export function downloadText(filename: string, lines: LogLine[]): void {
  const text = lines.map((l) => `${new Date(l.timestamp).toISOString()} ${l.message}`).join("\n");
  const url = URL.createObjectURL(new Blob([`${text}\n`], { type: "text/plain" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
