/**
 * The parts of CloudWatch's model (monitoring 2010-08-01) the three operations use: enough to
 * decode awsQuery parameters into the JSON-protocol form, check either protocol's input, and
 * write output as awsQuery XML. Member order is the model's, which is the order XML is written.
 */
export type Shape =
  | { type: "string"; enum?: readonly string[]; min?: number; max?: number }
  | { type: "integer" | "double" | "boolean" | "timestamp" }
  | { type: "list"; member: Shape; min?: number; max?: number }
  | { type: "map"; key: Shape; value: Shape }
  | { type: "structure"; members: Readonly<Record<string, Shape>>; required?: readonly string[] };

export type StructureShape = Extract<Shape, { type: "structure" }>;

const str = (min?: number, max?: number): Shape => ({ type: "string", ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) });
const int: Shape = { type: "integer" };
const double: Shape = { type: "double" };
const bool: Shape = { type: "boolean" };
const timestamp: Shape = { type: "timestamp" };
const list = (member: Shape, max?: number, min?: number): Shape => ({
  type: "list",
  member,
  ...(max !== undefined ? { max } : {}),
  ...(min !== undefined ? { min } : {}),
});
const struct = (members: Record<string, Shape>, required: readonly string[] = []): StructureShape => ({ type: "structure", members, required });

export const STANDARD_UNITS = [
  "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
  "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second", "Kilobytes/Second",
  "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second",
  "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
] as const;

const unit: Shape = { type: "string", enum: STANDARD_UNITS };
const namespace = str(1, 255);
const metricName = str(1, 255);
const dimension = struct({ Name: str(1, 255), Value: str(1, 1024) }, ["Name", "Value"]);
const dimensions = list(dimension, 30);
const metric = struct({ Namespace: namespace, MetricName: metricName, Dimensions: dimensions });
const messages = list(struct({ Code: str(), Value: str() }));

export const GET_METRIC_STATISTICS_INPUT = struct(
  {
    Namespace: namespace,
    MetricName: metricName,
    Dimensions: dimensions,
    StartTime: timestamp,
    EndTime: timestamp,
    Period: int,
    Statistics: list({ type: "string", enum: ["SampleCount", "Average", "Sum", "Minimum", "Maximum"] }, 5, 1),
    ExtendedStatistics: list(str(), 10, 1),
    Unit: unit,
  },
  ["Namespace", "MetricName", "StartTime", "EndTime", "Period"],
);

export const GET_METRIC_STATISTICS_OUTPUT = struct({
  Label: str(),
  Datapoints: list(
    struct({
      Timestamp: timestamp,
      SampleCount: double,
      Average: double,
      Sum: double,
      Minimum: double,
      Maximum: double,
      Unit: unit,
      ExtendedStatistics: { type: "map", key: str(), value: double },
    }),
  ),
});

export const GET_METRIC_DATA_INPUT = struct(
  {
    MetricDataQueries: list(
      struct(
        {
          Id: str(1, 255),
          MetricStat: struct({ Metric: metric, Period: int, Stat: str(), Unit: unit }, ["Metric", "Period", "Stat"]),
          Expression: str(1, 2048),
          Label: str(),
          ReturnData: bool,
          Period: int,
          AccountId: str(1, 255),
        },
        ["Id"],
      ),
    ),
    StartTime: timestamp,
    EndTime: timestamp,
    NextToken: str(),
    ScanBy: { type: "string", enum: ["TimestampDescending", "TimestampAscending"] },
    MaxDatapoints: int,
    LabelOptions: struct({ Timezone: str() }),
  },
  ["MetricDataQueries", "StartTime", "EndTime"],
);

export const GET_METRIC_DATA_OUTPUT = struct({
  MetricDataResults: list(
    struct({
      Id: str(),
      Label: str(),
      Timestamps: list(timestamp),
      Values: list(double),
      StatusCode: str(),
      Messages: messages,
    }),
  ),
  NextToken: str(),
  Messages: messages,
});

export const LIST_METRICS_INPUT = struct({
  Namespace: namespace,
  MetricName: metricName,
  Dimensions: list(struct({ Name: str(1, 255), Value: str(1, 1024) }, ["Name"]), 10),
  NextToken: str(),
  RecentlyActive: { type: "string", enum: ["PT3H"] },
  IncludeLinkedAccounts: bool,
  OwningAccount: str(1, 255),
});

export const LIST_METRICS_OUTPUT = struct({
  Metrics: list(metric),
  NextToken: str(),
  OwningAccounts: list(str()),
});
