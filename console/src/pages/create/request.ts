import type { CreateServiceCommandInput, Runtime, SourceConfiguration } from "@aws-sdk/client-apprunner";
import { secretsRecord } from "../../api/secret-references";
import { toRecord } from "../../components/KeyValueEditor";
import type { WizardState } from "./model";

const int = (v: string): number | undefined => (v.trim() === "" ? undefined : Number(v));
const text = (v: string): string | undefined => (v.trim() === "" ? undefined : v.trim());

function variables(s: WizardState): { RuntimeEnvironmentVariables?: Record<string, string>; RuntimeEnvironmentSecrets?: Record<string, string> } {
  const env = toRecord(s.env);
  const secrets = secretsRecord(s.secrets);
  return { ...(Object.keys(env).length > 0 ? { RuntimeEnvironmentVariables: env } : {}), ...(Object.keys(secrets).length > 0 ? { RuntimeEnvironmentSecrets: secrets } : {}) };
}

function imageSource(s: WizardState): SourceConfiguration {
  return {
    AutoDeploymentsEnabled: s.deployment === "automatic",
    ...(s.repositoryType === "ECR" && text(s.accessRoleArn) ? { AuthenticationConfiguration: { AccessRoleArn: text(s.accessRoleArn) } } : {}),
    ImageRepository: {
      ImageIdentifier: s.imageUri.trim(),
      ImageRepositoryType: s.repositoryType,
      ImageConfiguration: { Port: text(s.port), StartCommand: text(s.startCommand), ...variables(s) },
    },
  };
}

/** CodeRepository as the guide's console sends it: values only when configured here, not from apprunner.yaml. */
function codeSource(s: WizardState): SourceConfiguration {
  return {
    AutoDeploymentsEnabled: s.deployment === "automatic",
    ...(text(s.connectionArn) ? { AuthenticationConfiguration: { ConnectionArn: text(s.connectionArn) } } : {}),
    CodeRepository: {
      RepositoryUrl: s.repositoryUrl.trim(),
      SourceCodeVersion: { Type: "BRANCH", Value: s.branch.trim() },
      SourceDirectory: text(s.sourceDirectory),
      CodeConfiguration:
        s.configurationSource === "API"
          ? {
              ConfigurationSource: "API",
              CodeConfigurationValues: {
                Runtime: s.runtime as Runtime,
                BuildCommand: text(s.buildCommand),
                StartCommand: text(s.startCommand),
                Port: text(s.port),
                ...variables(s),
              },
            }
          : { ConfigurationSource: "REPOSITORY" },
    },
  };
}

export function toCreateRequest(s: WizardState): CreateServiceCommandInput {
  const [cpu, memory] = s.cpuMemory.split("|");
  return {
    ServiceName: s.name.trim(),
    SourceConfiguration: s.sourceKind === "code" ? codeSource(s) : imageSource(s),
    InstanceConfiguration: { Cpu: cpu, Memory: memory, InstanceRoleArn: text(s.instanceRoleArn) },
    HealthCheckConfiguration: {
      Protocol: s.healthProtocol,
      Path: s.healthProtocol === "HTTP" ? text(s.healthPath) : undefined,
      Interval: int(s.healthInterval),
      Timeout: int(s.healthTimeout),
      HealthyThreshold: int(s.healthyThreshold),
      UnhealthyThreshold: int(s.unhealthyThreshold),
    },
    ...(text(s.kmsKey) ? { EncryptionConfiguration: { KmsKey: text(s.kmsKey) } } : {}),
    AutoScalingConfigurationArn: s.autoScaling === "existing" ? text(s.autoScalingArn) : undefined,
    Tags: s.tags.filter((t) => t.key.trim() !== "").map((t) => ({ Key: t.key.trim(), Value: t.value })),
  };
}
