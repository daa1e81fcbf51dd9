import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { appRunnerApi } from "../../api/apprunner-api.js";
import { MAX_JSON_DEPTH } from "../../protocol/http/json-body.js";
import type { AwsJsonApi } from "../../protocol/service-registry.js";
import { HIDDEN } from "./hidden.js";
import { trailParameters } from "./redact.js";

const ARN = "arn:aws:apprunner:us-east-1:123456789012:service/python-test/dfa2b7cc7bcb4b6fa6c1f0f4efff988a";
const CONNECTION = "arn:aws:apprunner:us-east-1:123456789012:connection/my-connection/e7656250f67242d7819feade6800f59e";

type Row = [label: string, operation: string, input: Record<string, unknown>, expected: Record<string, unknown> | null];

/** The guide's CreateService example (source code, API configuration) and its image and update siblings. */
const TABLE: Row[] = [
  [
    "CreateService from source code: commands and variables hidden, as the guide's example",
    "CreateService",
    {
      ServiceName: "python-test",
      SourceConfiguration: {
        CodeRepository: {
          RepositoryUrl: "https://github.com/github-user/python-hello",
          SourceCodeVersion: { Type: "BRANCH", Value: "main" },
          CodeConfiguration: {
            ConfigurationSource: "API",
            CodeConfigurationValues: {
              Runtime: "PYTHON_3",
              BuildCommand: "pip install -r requirements.txt",
              StartCommand: "python server.py --token s3cr3t",
              Port: "8080",
              RuntimeEnvironmentVariables: { DB_PASSWORD: "hunter2" },
              RuntimeEnvironmentSecrets: { API_KEY: "arn:aws:secretsmanager:us-east-1:123456789012:secret:api" },
            },
          },
        },
        AutoDeploymentsEnabled: true,
        AuthenticationConfiguration: { ConnectionArn: CONNECTION },
      },
      HealthCheckConfiguration: { Protocol: "HTTP" },
      InstanceConfiguration: { Cpu: "256", Memory: "1024" },
    },
    {
      serviceName: "python-test",
      sourceConfiguration: {
        codeRepository: {
          repositoryUrl: "https://github.com/github-user/python-hello",
          sourceCodeVersion: { type: "BRANCH", value: "main" },
          codeConfiguration: {
            configurationSource: "API",
            codeConfigurationValues: {
              runtime: "PYTHON_3",
              buildCommand: HIDDEN,
              startCommand: HIDDEN,
              port: "8080",
              runtimeEnvironmentVariables: HIDDEN,
              runtimeEnvironmentSecrets: HIDDEN,
            },
          },
        },
        autoDeploymentsEnabled: true,
        authenticationConfiguration: { connectionArn: CONNECTION },
      },
      healthCheckConfiguration: { protocol: "HTTP" },
      instanceConfiguration: { cpu: "256", memory: "1024" },
    },
  ],
  [
    "CreateService from an image: StartCommand and variables hidden, tags (a list of structures) kept",
    "CreateService",
    {
      ServiceName: "img",
      SourceConfiguration: {
        ImageRepository: {
          ImageIdentifier: "127.0.0.1:5000/hello:latest",
          ImageRepositoryType: "ECR_PUBLIC",
          ImageConfiguration: { StartCommand: "node server.js", Port: "3000", RuntimeEnvironmentVariables: { A: "1" } },
        },
      },
      Tags: [{ Key: "env", Value: "dev" }],
    },
    {
      serviceName: "img",
      sourceConfiguration: {
        imageRepository: {
          imageIdentifier: "127.0.0.1:5000/hello:latest",
          imageRepositoryType: "ECR_PUBLIC",
          imageConfiguration: { startCommand: HIDDEN, port: "3000", runtimeEnvironmentVariables: HIDDEN },
        },
      },
      tags: [{ key: "env", value: "dev" }],
    },
  ],
  [
    "CreateService without secrets: nothing hidden, nothing added",
    "CreateService",
    { ServiceName: "plain", SourceConfiguration: { ImageRepository: { ImageIdentifier: "nginx", ImageRepositoryType: "ECR_PUBLIC" } } },
    { serviceName: "plain", sourceConfiguration: { imageRepository: { imageIdentifier: "nginx", imageRepositoryType: "ECR_PUBLIC" } } },
  ],
  [
    "CreateService with members the model lacks: left out, as CloudTrail records the parsed request",
    "CreateService",
    {
      ServiceName: "extra",
      Password: "nope",
      SourceConfiguration: { ImageRepository: { ImageIdentifier: "nginx", ImageRepositoryType: "ECR_PUBLIC", Secret: "x" } },
    },
    { serviceName: "extra", sourceConfiguration: { imageRepository: { imageIdentifier: "nginx", imageRepositoryType: "ECR_PUBLIC" } } },
  ],
  [
    "UpdateService: new variables and secrets hidden, empty variables still shown as passed",
    "UpdateService",
    {
      ServiceArn: ARN,
      SourceConfiguration: {
        ImageRepository: {
          ImageIdentifier: "nginx",
          ImageRepositoryType: "ECR_PUBLIC",
          ImageConfiguration: {
            RuntimeEnvironmentVariables: {},
            RuntimeEnvironmentSecrets: { S: "arn:aws:ssm:us-east-1:123456789012:parameter/s" },
          },
        },
      },
      InstanceConfiguration: { Cpu: "1 vCPU" },
    },
    {
      serviceArn: ARN,
      sourceConfiguration: {
        imageRepository: {
          imageIdentifier: "nginx",
          imageRepositoryType: "ECR_PUBLIC",
          imageConfiguration: { runtimeEnvironmentVariables: HIDDEN, runtimeEnvironmentSecrets: HIDDEN },
        },
      },
      instanceConfiguration: { cpu: "1 vCPU" },
    },
  ],
  [
    "UpdateService of a code service: BuildCommand hidden, other values kept",
    "UpdateService",
    {
      ServiceArn: ARN,
      SourceConfiguration: {
        CodeRepository: {
          RepositoryUrl: "https://github.com/u/r",
          SourceCodeVersion: { Type: "BRANCH", Value: "dev" },
          CodeConfiguration: { ConfigurationSource: "API", CodeConfigurationValues: { Runtime: "NODEJS_18", BuildCommand: "npm ci" } },
        },
      },
    },
    {
      serviceArn: ARN,
      sourceConfiguration: {
        codeRepository: {
          repositoryUrl: "https://github.com/u/r",
          sourceCodeVersion: { type: "BRANCH", value: "dev" },
          codeConfiguration: { configurationSource: "API", codeConfigurationValues: { runtime: "NODEJS_18", buildCommand: HIDDEN } },
        },
      },
    },
  ],
  ["DescribeService: the ARN, renamed", "DescribeService", { ServiceArn: ARN }, { serviceArn: ARN }],
  ["ListServices without parameters: null", "ListServices", {}, null],
];

describe("App Runner requestParameters, redacted by the model's sensitive shapes", () => {
  for (const [label, operation, input, expected] of TABLE) {
    it(label, () => assert.deepEqual(trailParameters(appRunnerApi, operation, "input", input), expected));
  }

  it("responseElements: timestamps as ISO strings, secrets hidden, as the guide's example", () => {
    const output = {
      Service: {
        ServiceName: "python-test",
        ServiceArn: ARN,
        CreatedAt: 1601681132.65,
        Status: "OPERATION_IN_PROGRESS",
        SourceConfiguration: {
          ImageRepository: {
            ImageIdentifier: "nginx",
            ImageRepositoryType: "ECR_PUBLIC",
            ImageConfiguration: { StartCommand: "run", RuntimeEnvironmentVariables: { K: "V" } },
          },
        },
      },
      OperationId: "0f8a2b8c-3a7e-4f8e-9c1d-2b3c4d5e6f70",
    };
    assert.deepEqual(trailParameters(appRunnerApi, "CreateService", "output", output), {
      service: {
        serviceName: "python-test",
        serviceArn: ARN,
        createdAt: "2020-10-02T23:25:32.650Z",
        status: "OPERATION_IN_PROGRESS",
        sourceConfiguration: {
          imageRepository: {
            imageIdentifier: "nginx",
            imageRepositoryType: "ECR_PUBLIC",
            imageConfiguration: { startCommand: HIDDEN, runtimeEnvironmentVariables: HIDDEN },
          },
        },
      },
      operationId: "0f8a2b8c-3a7e-4f8e-9c1d-2b3c4d5e6f70",
    });
  });

  it("never leaves a secret in the JSON, whatever the nesting", () => {
    for (const [, operation, input] of TABLE) {
      const json = JSON.stringify(trailParameters(appRunnerApi, operation, "input", input));
      for (const secret of ["hunter2", "s3cr3t", "pip install", "node server.js", "npm ci", "DB_PASSWORD", "nope"]) {
        assert.ok(!json.includes(secret), `${operation}: ${secret} in ${json}`);
      }
    }
  });
});

describe("other APIs: the fixed list of secrets and payloads", () => {
  const api = (signingName: string): AwsJsonApi => ({ targetPrefix: "X", signingName, jsonVersion: "1.1", operations: {} });
  const rows: [label: string, signingName: string, input: Record<string, unknown>, expected: Record<string, unknown> | null][] = [
    [
      "PutLogEvents: message bodies hidden, timestamps and names kept",
      "logs",
      { logGroupName: "g", logStreamName: "s", logEvents: [{ timestamp: 1, message: "password=hunter2" }], sequenceToken: "49" },
      { logGroupName: "g", logStreamName: "s", logEvents: [{ timestamp: 1, message: HIDDEN }], sequenceToken: "49" },
    ],
    [
      "CreateLogGroup: tags (a map) kept with its keys as sent",
      "logs",
      { logGroupName: "g", tags: { Team: "a" } },
      { logGroupName: "g", tags: { Team: "a" } },
    ],
    [
      "PutEvents: Detail hidden, Source and DetailType kept, names lower-first as CloudTrail prints them",
      "events",
      { Entries: [{ Source: "app", DetailType: "t", Detail: '{"card":"4111"}' }] },
      { entries: [{ source: "app", detailType: "t", detail: HIDDEN }] },
    ],
    [
      "PutRule and TagResource: a list of Key/Value tags renamed like any structure",
      "events",
      { Name: "r", EventPattern: "{}", Tags: [{ Key: "Team", Value: "a" }] },
      { name: "r", eventPattern: "{}", tags: [{ key: "Team", value: "a" }] },
    ],
    [
      "PutTargets: header and input-path maps keep their keys; an Authorization header is hidden",
      "events",
      {
        Rule: "r",
        Targets: [
          {
            Id: "1",
            InputTransformer: { InputPathsMap: { Instance: "$.detail.id" }, InputTemplate: "<Instance>" },
            HttpParameters: { HeaderParameters: { Authorization: "Bearer t", "X-Team": "a" } },
          },
        ],
      },
      {
        rule: "r",
        targets: [
          {
            id: "1",
            inputTransformer: { inputPathsMap: { Instance: "$.detail.id" }, inputTemplate: "<Instance>" },
            httpParameters: { headerParameters: { Authorization: HIDDEN, "X-Team": "a" } },
          },
        ],
      },
    ],
    [
      "EventBridge connection: API key, OAuth secret and Authorization header hidden",
      "events",
      {
        Name: "c",
        AuthParameters: {
          ApiKeyAuthParameters: { ApiKeyName: "x-api-key", ApiKeyValue: "k" },
          OAuthParameters: { ClientParameters: { ClientID: "id", ClientSecret: "cs" } },
          InvocationHttpParameters: { HeaderParameters: [{ Key: "Authorization", Value: "Bearer t" }] },
          BasicAuthParameters: { Username: "u", Password: "p" },
        },
      },
      {
        name: "c",
        authParameters: {
          apiKeyAuthParameters: { apiKeyName: "x-api-key", apiKeyValue: HIDDEN },
          oAuthParameters: { clientParameters: { clientID: "id", clientSecret: HIDDEN } },
          invocationHttpParameters: { headerParameters: [{ key: "Authorization", value: HIDDEN }] },
          basicAuthParameters: { username: "u", password: HIDDEN },
        },
      },
    ],
    [
      "any API: provider tokens and Authorization members hidden, paging tokens kept",
      "monitoring",
      { Authorization: "AWS4-HMAC-SHA256 x", ConnectionToken: "t", AccessToken: "a", NextToken: "n", SequenceToken: "s" },
      { authorization: HIDDEN, connectionToken: HIDDEN, accessToken: HIDDEN, nextToken: "n", sequenceToken: "s" },
    ],
    ["an empty request: null", "cloudtrail", {}, null],
  ];
  for (const [label, signingName, input, expected] of rows) {
    it(label, () => assert.deepEqual(trailParameters(api(signingName), "Op", "input", input), expected));
  }
});

describe("redaction never recurses past the protocol's depth limit", () => {
  /** Built in a loop: a value nobody could send (the protocol refuses it) but a listener might be handed. */
  const deep = (levels: number): unknown => {
    let v: unknown = "bottom";
    for (let i = 0; i < levels; i++) v = i % 2 === 0 ? [v] : { inner: v };
    return v;
  };
  const depthOf = (v: unknown): number => {
    let depth = 0;
    for (let at: unknown = v; typeof at === "object" && at !== null; depth++) at = Array.isArray(at) ? at[0] : Object.values(at)[0];
    return depth;
  };
  const other: AwsJsonApi = { targetPrefix: "Logs_20140328", signingName: "logs", jsonVersion: "1.1", operations: {} };

  it("a member 100,000 levels deep is kept down to MAX_JSON_DEPTH, not a stack overflow", () => {
    const shown = trailParameters(other, "CreateLogGroup", "input", { logGroupName: "g", unknown: deep(100_000) });
    assert.equal(shown?.logGroupName, "g");
    assert.ok(depthOf(shown) <= MAX_JSON_DEPTH, `${depthOf(shown)} levels`);
  });

  it("a modeled API leaves the unknown member out altogether", () => {
    assert.deepEqual(trailParameters(appRunnerApi, "PauseService", "input", { ServiceArn: ARN, Unknown: deep(100_000) }), { serviceArn: ARN });
  });
});
