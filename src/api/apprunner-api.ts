import { appRunnerModel } from "../model/model.js";
import { autoScalingOperations } from "./operations/auto-scaling.js";
import { connectionsOperations } from "./operations/connections.js";
import { customDomainsOperations } from "./operations/custom-domains.js";
import { observabilityOperations } from "./operations/observability.js";
import { operationOperations } from "./operations/operations.js";
import { serviceOperations } from "./operations/services.js";
import { tagsOperations } from "./operations/tags.js";
import { vpcConnectorsOperations } from "./operations/vpc-connectors.js";
import { vpcIngressConnectionsOperations } from "./operations/vpc-ingress-connections.js";
import type { AwsJsonApi } from "../protocol/service-registry.js";
import { appRunnerAuthorization } from "./apprunner-authorization.js";
import type { ApiDeps } from "../domain/api-context.js";

/** App Runner 2020-05-15: AWS JSON 1.0, target prefix AppRunner, signing name apprunner. */
export const appRunnerApi: AwsJsonApi<ApiDeps> = {
  targetPrefix: appRunnerModel.metadata.targetPrefix,
  signingName: appRunnerModel.metadata.signingName,
  jsonVersion: "1.0",
  model: appRunnerModel,
  authorization: appRunnerAuthorization,
  operations: {
    ...serviceOperations,
    ...operationOperations,
    ...autoScalingOperations,
    ...observabilityOperations,
    ...connectionsOperations,
    ...vpcConnectorsOperations,
    ...vpcIngressConnectionsOperations,
    ...customDomainsOperations,
    ...tagsOperations,
  },
};
