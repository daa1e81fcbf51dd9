import type { ServiceModel } from "../../model/model.js";

/**
 * OpenRunner's own API in botocore's model form, so its requests are type-checked like every
 * other API's (SerializationException for a member of the wrong JSON type, before anything
 * else). Constraints are checked by the handler; the trail hides `Token` by name.
 * Outputs are not modelled: only inputs are checked.
 */
export const openRunnerModel: ServiceModel = {
  metadata: { apiVersion: "2024-01-01", targetPrefix: "OpenRunner", signingName: "apprunner", jsonVersion: "1.0" },
  operations: {
    CompleteConnectionHandshake: { name: "CompleteConnectionHandshake", input: { shape: "CompleteConnectionHandshakeRequest" } },
    ListServiceInstances: { name: "ListServiceInstances", input: { shape: "ListServiceInstancesRequest" } },
    ListServiceDeployments: { name: "ListServiceDeployments", input: { shape: "ListServiceInstancesRequest" } },
    RollbackService: { name: "RollbackService", input: { shape: "RollbackServiceRequest" } },
    DescribeRollout: { name: "DescribeRollout", input: { shape: "ListServiceInstancesRequest" } },
  },
  shapes: {
    CompleteConnectionHandshakeRequest: {
      type: "structure",
      members: { ConnectionArn: { shape: "String" }, Token: { shape: "String" } },
      required: ["ConnectionArn"],
    },
    ListServiceInstancesRequest: {
      type: "structure",
      members: { ServiceArn: { shape: "String" } },
      required: ["ServiceArn"],
    },
    RollbackServiceRequest: {
      type: "structure",
      members: { ServiceArn: { shape: "String" }, DeploymentId: { shape: "String" } },
      required: ["ServiceArn"],
    },
    String: { type: "string" },
  },
};
