import type { CreateServiceCommandInput } from "@aws-sdk/client-apprunner";
import { fieldErrors } from "../../api/errors";
import { toRecord, type KeyValue } from "../../components/KeyValueEditor";

/** Everything the wizard asks, as the user typed it (strings, so inputs stay controlled). */
export interface WizardState {
  imageUri: string;
  repositoryType: "ECR" | "ECR_PUBLIC";
  accessRoleArn: string;
  deployment: "manual" | "automatic";
  name: string;
  cpuMemory: string;
  port: string;
  startCommand: string;
  env: KeyValue[];
  autoScaling: "default" | "existing";
  autoScalingArn: string;
  healthProtocol: "TCP" | "HTTP";
  healthPath: string;
  healthInterval: string;
  healthTimeout: string;
  healthyThreshold: string;
  unhealthyThreshold: string;
  instanceRoleArn: string;
  tags: KeyValue[];
}

export const INITIAL: WizardState = {
  imageUri: "",
  repositoryType: "ECR_PUBLIC",
  accessRoleArn: "",
  deployment: "manual",
  name: "",
  cpuMemory: "1 vCPU|2 GB",
  port: "8080",
  startCommand: "",
  env: [],
  autoScaling: "default",
  autoScalingArn: "",
  healthProtocol: "TCP",
  healthPath: "/",
  healthInterval: "10",
  healthTimeout: "5",
  healthyThreshold: "1",
  unhealthyThreshold: "5",
  instanceRoleArn: "",
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

export const STEPS = ["Source and deployment", "Configure service", "Review and create"] as const;

const int = (v: string): number | undefined => (v.trim() === "" ? undefined : Number(v));
const text = (v: string): string | undefined => (v.trim() === "" ? undefined : v.trim());

export function toCreateRequest(s: WizardState): CreateServiceCommandInput {
  const [cpu, memory] = s.cpuMemory.split("|");
  const env = toRecord(s.env);
  return {
    ServiceName: s.name.trim(),
    SourceConfiguration: {
      AutoDeploymentsEnabled: s.deployment === "automatic",
      ...(s.repositoryType === "ECR" && text(s.accessRoleArn) ? { AuthenticationConfiguration: { AccessRoleArn: text(s.accessRoleArn) } } : {}),
      ImageRepository: {
        ImageIdentifier: s.imageUri.trim(),
        ImageRepositoryType: s.repositoryType,
        ImageConfiguration: {
          Port: text(s.port),
          StartCommand: text(s.startCommand),
          ...(Object.keys(env).length > 0 ? { RuntimeEnvironmentVariables: env } : {}),
        },
      },
    },
    InstanceConfiguration: { Cpu: cpu, Memory: memory, InstanceRoleArn: text(s.instanceRoleArn) },
    HealthCheckConfiguration: {
      Protocol: s.healthProtocol,
      Path: s.healthProtocol === "HTTP" ? text(s.healthPath) : undefined,
      Interval: int(s.healthInterval),
      Timeout: int(s.healthTimeout),
      HealthyThreshold: int(s.healthyThreshold),
      UnhealthyThreshold: int(s.unhealthyThreshold),
    },
    AutoScalingConfigurationArn: s.autoScaling === "existing" ? text(s.autoScalingArn) : undefined,
    Tags: s.tags.filter((t) => t.key.trim() !== "").map((t) => ({ Key: t.key.trim(), Value: t.value })),
  };
}

const IMAGE = "sourceConfiguration.imageRepository";

/** Which wizard field each API member path (or semantic message) belongs to, and its step. */
const FIELDS: Record<string, { paths: string[]; words?: RegExp; step: number }> = {
  imageUri: { paths: [`${IMAGE}.imageIdentifier`], words: /image/i, step: 0 },
  source: { paths: [`${IMAGE}.imageRepositoryType`, "sourceConfiguration.authenticationConfiguration", "sourceConfiguration"], words: /source|access role/i, step: 0 },
  name: { paths: ["serviceName"], words: /service name|provided name|maximum number of services/i, step: 1 },
  cpuMemory: { paths: ["instanceConfiguration.cpu", "instanceConfiguration.memory"], words: /CPU|memory/, step: 1 },
  instanceRoleArn: { paths: ["instanceConfiguration.instanceRoleArn"], step: 1 },
  port: { paths: [`${IMAGE}.imageConfiguration.port`], words: /\bport\b/i, step: 1 },
  startCommand: { paths: [`${IMAGE}.imageConfiguration.startCommand`], step: 1 },
  env: { paths: [`${IMAGE}.imageConfiguration.runtimeEnvironmentVariables`, `${IMAGE}.imageConfiguration.runtimeEnvironmentSecrets`], words: /environment/i, step: 1 },
  autoScaling: { paths: ["autoScalingConfigurationArn"], words: /auto ?scaling/i, step: 1 },
  health: { paths: ["healthCheckConfiguration"], words: /health/i, step: 1 },
  tags: { paths: ["tags"], words: /\btags?\b/i, step: 1 },
};

/** Puts each part of a CreateService error at its field; returns the earliest step to show. */
export function placeErrors(err: unknown): { errors: Record<string, string>; step: number } {
  const errors = fieldErrors(err, FIELDS);
  const steps = Object.keys(errors).map((f) => FIELDS[f]?.step ?? STEPS.length - 1);
  return { errors, step: Math.min(...steps) };
}
