import type { SecretRow } from "../../api/secret-references";
import type { KeyValue } from "../../components/KeyValueEditor";

export type SourceKind = "image" | "code";

/** Everything the wizard asks, as the user typed it (strings, so inputs stay controlled). */
export interface WizardState {
  sourceKind: SourceKind;
  imageUri: string;
  repositoryType: "ECR" | "ECR_PUBLIC";
  accessRoleArn: string;
  deployment: "manual" | "automatic";
  /** An https URL, a file:// URL or a path on the server's host. */
  repositoryUrl: string;
  /** A connection's ARN, for private repositories; "" for none. */
  connectionArn: string;
  branch: string;
  sourceDirectory: string;
  /** Build settings from the repository's apprunner.yaml, or from the fields below. */
  configurationSource: "REPOSITORY" | "API";
  runtime: string;
  buildCommand: string;
  name: string;
  cpuMemory: string;
  port: string;
  startCommand: string;
  env: KeyValue[];
  /** RuntimeEnvironmentSecrets: references only, never values. */
  secrets: SecretRow[];
  autoScaling: "default" | "existing";
  autoScalingArn: string;
  healthProtocol: "TCP" | "HTTP";
  healthPath: string;
  healthInterval: string;
  healthTimeout: string;
  healthyThreshold: string;
  unhealthyThreshold: string;
  instanceRoleArn: string;
  /** EncryptionConfiguration.KmsKey; "" for the AWS managed key. */
  kmsKey: string;
  tags: KeyValue[];
}

export const INITIAL: WizardState = {
  sourceKind: "image",
  imageUri: "",
  repositoryType: "ECR_PUBLIC",
  accessRoleArn: "",
  deployment: "manual",
  repositoryUrl: "",
  connectionArn: "",
  branch: "main",
  sourceDirectory: "",
  configurationSource: "REPOSITORY",
  runtime: "PYTHON_3",
  buildCommand: "",
  name: "",
  cpuMemory: "1 vCPU|2 GB",
  port: "8080",
  startCommand: "",
  env: [],
  secrets: [],
  autoScaling: "default",
  autoScalingArn: "",
  healthProtocol: "TCP",
  healthPath: "/",
  healthInterval: "10",
  healthTimeout: "5",
  healthyThreshold: "1",
  unhealthyThreshold: "5",
  instanceRoleArn: "",
  kmsKey: "",
  tags: [],
};

/**
 * App Runner's CPU/memory combinations, the same table as VALID_PAIRS in
 * src/domain/instance-configuration.ts (the API rejects any other pair with its own message).
 */
export const CPU_MEMORY_PAIRS: readonly { cpu: string; memory: string }[] = [
  { cpu: "0.25 vCPU", memory: "0.5 GB" },
  { cpu: "0.25 vCPU", memory: "1 GB" },
  { cpu: "0.5 vCPU", memory: "1 GB" },
  { cpu: "1 vCPU", memory: "2 GB" },
  { cpu: "1 vCPU", memory: "3 GB" },
  { cpu: "1 vCPU", memory: "4 GB" },
  { cpu: "2 vCPU", memory: "4 GB" },
  { cpu: "2 vCPU", memory: "6 GB" },
  { cpu: "4 vCPU", memory: "8 GB" },
  { cpu: "4 vCPU", memory: "10 GB" },
  { cpu: "4 vCPU", memory: "12 GB" },
];

/** The managed runtimes OpenRunner builds with (src/builder/runtimes/catalog.ts). */
export const RUNTIMES: readonly { value: string; label: string }[] = [
  { value: "PYTHON_3", label: "Python 3" },
  { value: "PYTHON_311", label: "Python 3.11" },
  { value: "NODEJS_22", label: "Node.js 22" },
  { value: "NODEJS_18", label: "Node.js 18" },
  { value: "NODEJS_16", label: "Node.js 16" },
  { value: "NODEJS_14", label: "Node.js 14" },
  { value: "NODEJS_12", label: "Node.js 12" },
];

export type StepKey = "source" | "build" | "service" | "review";

export const STEP_LABELS: Record<StepKey, string> = {
  source: "Source and deployment",
  build: "Configure build",
  service: "Configure service",
  review: "Review and create",
};

/** The guide's steps: "Configure build" only for a source code repository. */
export function stepsFor(kind: SourceKind): StepKey[] {
  return kind === "code" ? ["source", "build", "service", "review"] : ["source", "service", "review"];
}

/** Port, start command and variables are the build step's for code configured here, none of the wizard's for apprunner.yaml. */
export const codeFromApi = (s: WizardState): boolean => s.sourceKind === "code" && s.configurationSource === "API";
