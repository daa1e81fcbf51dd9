import rawModel from "./apprunner-2020-05-15.json" with { type: "json" };
import rawCloudTrail from "./cloudtrail-2013-11-01.json" with { type: "json" };
import rawCloudWatch from "./cloudwatch-2010-08-01.json" with { type: "json" };
import rawEcr from "./ecr-2015-09-21.json" with { type: "json" };
import rawEvents from "./events-2015-10-07.json" with { type: "json" };
import rawIam from "./iam-2010-05-08.json" with { type: "json" };
import rawKms from "./kms-2014-11-01.json" with { type: "json" };
import rawLogs from "./logs-2014-03-28.json" with { type: "json" };
import rawSecretsManager from "./secretsmanager-2017-10-17.json" with { type: "json" };
import rawSsm from "./ssm-2014-11-06.json" with { type: "json" };

/** The subset of the botocore/Smithy JSON model that validation and the protocol need. */
export interface ShapeRef {
  shape: string;
}

export interface Shape {
  type: "structure" | "string" | "integer" | "long" | "float" | "double" | "boolean" | "list" | "map" | "timestamp" | "blob";
  members?: Record<string, ShapeRef>;
  required?: string[];
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  sensitive?: boolean;
}

export interface OperationModel {
  name: string;
  input?: ShapeRef;
  /** awsQuery answers wrap the output in `<resultWrapper>` (`CreateUserResult`). */
  output?: ShapeRef & { resultWrapper?: string };
  errors?: ShapeRef[];
}

export interface ServiceModel {
  /** awsQuery models (IAM) have no targetPrefix or jsonVersion, and name their XML namespace. */
  metadata: { apiVersion: string; targetPrefix: string; signingName: string; jsonVersion: string; protocol?: string; xmlNamespace?: string };
  operations: Record<string, OperationModel>;
  shapes: Record<string, Shape>;
}

export const appRunnerModel = rawModel as unknown as ServiceModel;

/**
 * botocore's models of the other APIs OpenRunner serves, cut to the operations it serves by
 * scripts/extract-models.py: every request's JSON types are checked against them.
 */
export const logsModel = rawLogs as unknown as ServiceModel;
export const eventsModel = rawEvents as unknown as ServiceModel;
export const cloudWatchModel = rawCloudWatch as unknown as ServiceModel;
export const cloudTrailModel = rawCloudTrail as unknown as ServiceModel;
export const ecrModel = rawEcr as unknown as ServiceModel;
export const secretsManagerModel = rawSecretsManager as unknown as ServiceModel;
export const kmsModel = rawKms as unknown as ServiceModel;
/** SSM Parameter Store's operations; `PSParameterValue` is sensitive, so the audit trail hides every value. */
export const ssmModel = rawSsm as unknown as ServiceModel;
/** IAM's model (awsQuery): decodes form parameters, validates them and encodes XML answers (src/protocol/query/). */
export const iamModel = rawIam as unknown as ServiceModel;

export const operationNames = (): string[] => Object.keys(appRunnerModel.operations);

export function shapeOf(model: ServiceModel, name: string): Shape {
  const s = model.shapes[name];
  if (!s) throw new Error(`model ${model.metadata.targetPrefix} has no shape ${name}`);
  return s;
}

export function shape(name: string): Shape {
  return shapeOf(appRunnerModel, name);
}
