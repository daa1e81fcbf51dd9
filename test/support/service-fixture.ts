import type { ServiceDoc, ServiceRow, ServiceStatus } from "../../src/domain/service-record.js";

/** A complete service document, as CreateService would have stored it (for unit tests). */
export function serviceDoc(arn: string, name: string, id: string, status: ServiceStatus): ServiceDoc {
  return {
    ServiceName: name,
    ServiceId: id,
    ServiceArn: arn,
    ServiceUrl: `abcdefghij.us-east-1.openrunner.localhost`,
    CreatedAt: 1_767_225_600,
    UpdatedAt: 1_767_225_600,
    Status: status,
    SourceConfiguration: {
      AutoDeploymentsEnabled: true,
      ImageRepository: { ImageIdentifier: "127.0.0.1:5000/hello:latest", ImageRepositoryType: "ECR_PUBLIC" },
    },
    InstanceConfiguration: { Cpu: "1024", Memory: "2048" },
    AutoScalingConfigurationSummary: undefined,
    NetworkConfiguration: { EgressConfiguration: { EgressType: "DEFAULT" }, IngressConfiguration: { IsPubliclyAccessible: true } },
  };
}

/** A service row that is not in any store (for rules that only read it). */
export function detachedService(status: ServiceStatus, name = "rules"): ServiceRow {
  const id = "0123456789abcdef0123456789abcdef";
  const arn = `arn:aws:apprunner:us-east-1:123456789012:service/${name}/${id}`;
  return {
    arn,
    kind: "service",
    name,
    revision: 0,
    parentArn: "",
    status,
    doc: serviceDoc(arn, name, id, status),
    internal: { currentDeploymentId: null },
    seq: 1,
    createdAt: 0,
    deletedAt: null,
  };
}
