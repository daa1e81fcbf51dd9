import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AuthorizationRequest } from "../iam/authorization.js";
import { appRunnerModel } from "../model/model.js";
import { authorizationRequestsOf } from "../protocol/service-registry.js";
import type { Principal } from "../iam/principal.js";
import { appRunnerApi } from "./apprunner-api.js";
import { openRunnerApi } from "./openrunner/complete-handshake.js";

const A = "arn:aws:apprunner:us-east-1:123456789012";
const SVC = `${A}:service/web/0123456789abcdef0123456789abcdef`;
const ASC = `${A}:autoscalingconfiguration/preprod/2/0123456789abcdef0123456789abcdef`;
const CONN = `${A}:connection/prod/0123456789abcdef0123456789abcdef`;
const OBS = `${A}:observabilityconfiguration/tracing/1/0123456789abcdef0123456789abcdef`;
const VPCC = `${A}:vpcconnector/egress/1/0123456789abcdef0123456789abcdef`;
const VIC = `${A}:vpcingressconnection/ingress/0123456789abcdef0123456789abcdef`;
const INSTANCE_ROLE = "arn:aws:iam::123456789012:role/app-instance";
const ACCESS_ROLE = "arn:aws:iam::123456789012:role/app-access";
const TAGS = [{ Key: "Owner", Value: "alice" }, { Key: "Env", Value: "prod" }];
const TAG_CONDITIONS = { "aws:tagkeys": ["Owner", "Env"], "aws:requesttag/owner": "alice", "aws:requesttag/env": "prod" };
const PASSED = { "iam:passedtoservice": "apprunner.amazonaws.com" };

const principal: Principal = { accessKeyId: "AKIAEXAMPLEEXAMPLE22", accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/alice", type: "IAMUser", userName: "alice" };
const req = (op: string, resource: string, conditions?: AuthorizationRequest["conditions"]): AuthorizationRequest =>
  conditions === undefined ? { action: `apprunner:${op}`, resource } : { action: `apprunner:${op}`, resource, conditions };

/** Every App Runner operation: an input as a client sends it and what IAM authorizes (Service Authorization Reference). */
const TABLE: [string, Record<string, unknown>, AuthorizationRequest[]][] = [
  ["AssociateCustomDomain", { ServiceArn: SVC, DomainName: "example.com" }, [req("AssociateCustomDomain", SVC)]],
  ["CreateAutoScalingConfiguration", { AutoScalingConfigurationName: "a", Tags: TAGS }, [req("CreateAutoScalingConfiguration", "*", TAG_CONDITIONS)]],
  ["CreateConnection", { ConnectionName: "c", ProviderType: "GITHUB" }, [req("CreateConnection", "*")]],
  ["CreateObservabilityConfiguration", { ObservabilityConfigurationName: "o", Tags: TAGS }, [req("CreateObservabilityConfiguration", "*", TAG_CONDITIONS)]],
  [
    "CreateService",
    {
      ServiceName: "web",
      SourceConfiguration: { CodeRepository: { RepositoryUrl: "https://github.com/a/b" }, AuthenticationConfiguration: { ConnectionArn: CONN } },
      AutoScalingConfigurationArn: ASC,
      ObservabilityConfiguration: { ObservabilityEnabled: true, ObservabilityConfigurationArn: OBS },
      NetworkConfiguration: { EgressConfiguration: { EgressType: "VPC", VpcConnectorArn: VPCC } },
      InstanceConfiguration: { InstanceRoleArn: INSTANCE_ROLE },
      Tags: TAGS,
    },
    [
      req("CreateService", "*", {
        "apprunner:connectionarn": CONN,
        "apprunner:autoscalingconfigurationarn": ASC,
        "apprunner:observabilityconfigurationarn": OBS,
        "apprunner:vpcconnectorarn": VPCC,
        ...TAG_CONDITIONS,
      }),
      { action: "iam:PassRole", resource: INSTANCE_ROLE, conditions: PASSED },
    ],
  ],
  ["CreateVpcConnector", { VpcConnectorName: "v", Subnets: ["subnet-1"] }, [req("CreateVpcConnector", "*")]],
  [
    "CreateVpcIngressConnection",
    { ServiceArn: SVC, VpcIngressConnectionName: "i", IngressVpcConfiguration: { VpcId: "vpc-1", VpcEndpointId: "vpce-1" }, Tags: TAGS },
    [req("CreateVpcIngressConnection", "*", { "apprunner:vpcid": "vpc-1", "apprunner:vpcendpointid": "vpce-1", ...TAG_CONDITIONS, "apprunner:servicearn": SVC })],
  ],
  ["DeleteAutoScalingConfiguration", { AutoScalingConfigurationArn: ASC }, [req("DeleteAutoScalingConfiguration", ASC)]],
  ["DeleteConnection", { ConnectionArn: CONN }, [req("DeleteConnection", CONN)]],
  ["DeleteObservabilityConfiguration", { ObservabilityConfigurationArn: OBS }, [req("DeleteObservabilityConfiguration", OBS)]],
  ["DeleteService", { ServiceArn: SVC }, [req("DeleteService", SVC)]],
  ["DeleteVpcConnector", { VpcConnectorArn: VPCC }, [req("DeleteVpcConnector", VPCC)]],
  ["DeleteVpcIngressConnection", { VpcIngressConnectionArn: VIC }, [req("DeleteVpcIngressConnection", VIC)]],
  ["DescribeAutoScalingConfiguration", { AutoScalingConfigurationArn: ASC }, [req("DescribeAutoScalingConfiguration", ASC)]],
  ["DescribeCustomDomains", { ServiceArn: SVC }, [req("DescribeCustomDomains", SVC)]],
  ["DescribeObservabilityConfiguration", { ObservabilityConfigurationArn: OBS }, [req("DescribeObservabilityConfiguration", OBS)]],
  ["DescribeService", { ServiceArn: SVC }, [req("DescribeService", SVC)]],
  ["DescribeVpcConnector", { VpcConnectorArn: VPCC }, [req("DescribeVpcConnector", VPCC)]],
  ["DescribeVpcIngressConnection", { VpcIngressConnectionArn: VIC }, [req("DescribeVpcIngressConnection", VIC)]],
  ["DisassociateCustomDomain", { ServiceArn: SVC, DomainName: "example.com" }, [req("DisassociateCustomDomain", SVC)]],
  ["ListAutoScalingConfigurations", {}, [req("ListAutoScalingConfigurations", "*")]],
  ["ListConnections", { ConnectionName: "c" }, [req("ListConnections", "*")]],
  ["ListObservabilityConfigurations", {}, [req("ListObservabilityConfigurations", "*")]],
  ["ListOperations", { ServiceArn: SVC }, [req("ListOperations", SVC)]],
  ["ListServices", { MaxResults: 20 }, [req("ListServices", "*")]],
  ["ListServicesForAutoScalingConfiguration", { AutoScalingConfigurationArn: ASC }, [req("ListServicesForAutoScalingConfiguration", ASC)]],
  ["ListTagsForResource", { ResourceArn: CONN }, [req("ListTagsForResource", CONN)]],
  ["ListVpcConnectors", {}, [req("ListVpcConnectors", "*")]],
  ["ListVpcIngressConnections", { Filter: { ServiceArn: SVC } }, [req("ListVpcIngressConnections", "*")]],
  ["PauseService", { ServiceArn: SVC }, [req("PauseService", SVC)]],
  ["ResumeService", { ServiceArn: SVC }, [req("ResumeService", SVC)]],
  ["StartDeployment", { ServiceArn: SVC }, [req("StartDeployment", SVC)]],
  ["TagResource", { ResourceArn: SVC, Tags: TAGS }, [req("TagResource", SVC, TAG_CONDITIONS)]],
  ["UntagResource", { ResourceArn: SVC, TagKeys: ["Owner"] }, [req("UntagResource", SVC, { "aws:tagkeys": ["Owner"] })]],
  ["UpdateDefaultAutoScalingConfiguration", { AutoScalingConfigurationArn: ASC }, [req("UpdateDefaultAutoScalingConfiguration", ASC)]],
  [
    "UpdateService",
    {
      ServiceArn: SVC,
      AutoScalingConfigurationArn: ASC,
      SourceConfiguration: { ImageRepository: { ImageIdentifier: "1.dkr.ecr.us-east-1.amazonaws.com/a:b", ImageRepositoryType: "ECR" }, AuthenticationConfiguration: { AccessRoleArn: ACCESS_ROLE } },
      InstanceConfiguration: { InstanceRoleArn: INSTANCE_ROLE },
    },
    [
      req("UpdateService", SVC, { "apprunner:autoscalingconfigurationarn": ASC }),
      { action: "iam:PassRole", resource: INSTANCE_ROLE, conditions: PASSED },
      { action: "iam:PassRole", resource: ACCESS_ROLE, conditions: PASSED },
    ],
  ],
  ["UpdateVpcIngressConnection", { VpcIngressConnectionArn: VIC, IngressVpcConfiguration: { VpcId: "vpc-2" } }, [req("UpdateVpcIngressConnection", VIC, { "apprunner:vpcid": "vpc-2" })]],
];

describe("App Runner's calls as IAM authorizes them", () => {
  it("the table covers every one of App Runner's 37 operations", () => {
    assert.deepEqual(TABLE.map(([op]) => op).sort(), Object.keys(appRunnerModel.operations).sort());
    assert.equal(TABLE.length, 37);
  });

  for (const [op, input, expected] of TABLE) {
    it(op, () => {
      assert.deepEqual(authorizationRequestsOf(appRunnerApi, op, input, principal), expected);
    });
  }

  it("CreateService without roles, connection or tags: the action alone on *", () => {
    const input = { ServiceName: "web", SourceConfiguration: { ImageRepository: { ImageIdentifier: "public.ecr.aws/a/b:1", ImageRepositoryType: "ECR_PUBLIC" } } };
    assert.deepEqual(authorizationRequestsOf(appRunnerApi, "CreateService", input, principal), [req("CreateService", "*")]);
  });

  it("iam:PassRole once for a role given as both instance and access role", () => {
    const input = { ServiceArn: SVC, InstanceConfiguration: { InstanceRoleArn: INSTANCE_ROLE }, SourceConfiguration: { AuthenticationConfiguration: { AccessRoleArn: INSTANCE_ROLE } } };
    assert.deepEqual(authorizationRequestsOf(appRunnerApi, "UpdateService", input, principal), [req("UpdateService", SVC), { action: "iam:PassRole", resource: INSTANCE_ROLE, conditions: PASSED }]);
  });

  it("OpenRunner's own operations: App Runner's prefix, on the resource they act on", () => {
    const api = openRunnerApi(() => {
      throw new Error("not used");
    });
    assert.deepEqual(authorizationRequestsOf(api, "ListServiceInstances", { ServiceArn: SVC }, principal), [req("ListServiceInstances", SVC)]);
    assert.deepEqual(authorizationRequestsOf(api, "ListServiceDeployments", { ServiceArn: SVC }, principal), [req("ListServiceDeployments", SVC)]);
    assert.deepEqual(authorizationRequestsOf(api, "RollbackService", { ServiceArn: SVC, DeploymentId: "d" }, principal), [req("RollbackService", SVC)]);
    assert.deepEqual(authorizationRequestsOf(api, "DescribeRollout", { ServiceArn: SVC }, principal), [req("DescribeRollout", SVC)]);
    assert.deepEqual(authorizationRequestsOf(api, "CompleteConnectionHandshake", { ConnectionArn: CONN, Token: "t" }, principal), [req("CompleteConnectionHandshake", CONN)]);
  });
});
