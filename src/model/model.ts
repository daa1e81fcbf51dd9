import rawModel from "./apprunner-2020-05-15.json" with { type: "json" };

/** The subset of the botocore/Smithy JSON model that validation and the protocol need. */
export interface ShapeRef {
  shape: string;
}

export interface Shape {
  type: "structure" | "string" | "integer" | "long" | "boolean" | "list" | "map" | "timestamp";
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
  output?: ShapeRef;
  errors?: ShapeRef[];
}

export interface ServiceModel {
  metadata: { apiVersion: string; targetPrefix: string; signingName: string; jsonVersion: string };
  operations: Record<string, OperationModel>;
  shapes: Record<string, Shape>;
}

export const appRunnerModel = rawModel as unknown as ServiceModel;

export const operationNames = (): string[] => Object.keys(appRunnerModel.operations);

export function shape(name: string): Shape {
  const s = appRunnerModel.shapes[name];
  if (!s) throw new Error(`model has no shape ${name}`);
  return s;
}
