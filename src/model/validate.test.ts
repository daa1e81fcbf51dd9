import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AppRunnerError } from "../errors/app-runner-error.js";
import type { ErrorCode } from "../errors/codes.js";
import { iamModel } from "./model.js";
import { validateInput } from "./validate.js";

const image = (ImageIdentifier: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  ServiceName: "my-service",
  SourceConfiguration: { ImageRepository: { ImageIdentifier, ImageRepositoryType: "ECR_PUBLIC", ...extra } },
});
const code = (values: Record<string, unknown>): Record<string, unknown> => ({
  ServiceName: "my-service",
  SourceConfiguration: {
    CodeRepository: {
      RepositoryUrl: "https://github.com/example/app",
      SourceCodeVersion: { Type: "BRANCH", Value: "main" },
      CodeConfiguration: { ConfigurationSource: "API", CodeConfigurationValues: { Runtime: "NODEJS_18", ...values } },
    },
  },
});
const withService = (over: Record<string, unknown>): Record<string, unknown> => ({ ...image("nginx:latest"), ...over });
const HEX64 = "0123456789abcdef".repeat(4);

describe("validateInput accepts valid input", () => {
  const cases: { name: string; shape: string; input: unknown }[] = [
    { name: "a private ECR image", shape: "CreateServiceRequest", input: image("123456789012.dkr.ecr.us-east-1.amazonaws.com/my-app:latest") },
    { name: "a public ECR image", shape: "CreateServiceRequest", input: image("public.ecr.aws/aws-containers/hello-app-runner:latest") },
    { name: "a loopback registry with a port", shape: "CreateServiceRequest", input: image("127.0.0.1:5000/hello:latest") },
    { name: "a digest reference", shape: "CreateServiceRequest", input: image(`registry/app@sha256:${HEX64}`) },
    { name: "a nested path and tag", shape: "CreateServiceRequest", input: image("localhost:5000/team/app:v1.2.3") },
    { name: "a bare image name", shape: "CreateServiceRequest", input: image("nginx") },
    {
      name: "a full image service",
      shape: "CreateServiceRequest",
      input: {
        ...image("nginx:1.27", {
          ImageConfiguration: { Port: "8080", StartCommand: "node server.js --port 8080", RuntimeEnvironmentVariables: { A: "1", B: "" } },
        }),
        InstanceConfiguration: { Cpu: "1 vCPU", Memory: "2 GB" },
        HealthCheckConfiguration: { Protocol: "HTTP", Path: "/", Interval: 20, Timeout: 1, HealthyThreshold: 1, UnhealthyThreshold: 20 },
        Tags: [{ Key: "team", Value: "" }],
      },
    },
    { name: "a code repository", shape: "CreateServiceRequest", input: code({ BuildCommand: "npm ci", StartCommand: "npm start" }) },
    { name: "CPU and memory as numbers of units", shape: "CreateServiceRequest", input: withService({ InstanceConfiguration: { Cpu: "4096", Memory: "12288" } }) },
    { name: "null members count as absent", shape: "CreateServiceRequest", input: withService({ Tags: null, InstanceConfiguration: null }) },
    {
      name: "an auto scaling configuration at its limits",
      shape: "CreateAutoScalingConfigurationRequest",
      input: { AutoScalingConfigurationName: "my_asc-1", MinSize: 25, MaxSize: 25, MaxConcurrency: 200 },
    },
    { name: "ListServices with MaxResults 20", shape: "ListServicesRequest", input: { MaxResults: 20 } },
    { name: "an empty ListServices", shape: "ListServicesRequest", input: {} },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.doesNotThrow(() => validateInput(c.shape, c.input));
    });
  }
});

describe("validateInput refuses with the code and Coral's words", () => {
  const cases: { name: string; shape: string; input: unknown; code: ErrorCode; message: (string | RegExp)[] }[] = [
    {
      name: "required members missing",
      shape: "CreateServiceRequest",
      input: {},
      code: "InvalidRequest",
      message: [
        /^2 validation errors detected: /,
        "Value null at 'serviceName' failed to satisfy constraint: Member must not be null",
        "Value null at 'sourceConfiguration' failed to satisfy constraint: Member must not be null",
      ],
    },
    {
      name: "a required member that is null",
      shape: "DescribeServiceRequest",
      input: { ServiceArn: null },
      code: "InvalidRequest",
      message: ["1 validation error detected: Value null at 'serviceArn' failed to satisfy constraint: Member must not be null"],
    },
    {
      name: "a nested required member",
      shape: "CreateServiceRequest",
      input: { ServiceName: "my-service", SourceConfiguration: { ImageRepository: { ImageIdentifier: "nginx" } } },
      code: "InvalidRequest",
      message: ["Value null at 'sourceConfiguration.imageRepository.imageRepositoryType' failed to satisfy constraint: Member must not be null"],
    },
    {
      name: "a service name too short",
      shape: "CreateServiceRequest",
      input: withService({ ServiceName: "ab" }),
      code: "InvalidRequest",
      message: [
        /^2 validation errors/,
        "Value 'ab' at 'serviceName' failed to satisfy constraint: Member must have length greater than or equal to 4",
        "Member must satisfy regular expression pattern: [A-Za-z0-9][A-Za-z0-9-_]{3,39}",
      ],
    },
    {
      name: "a service name too long",
      shape: "CreateServiceRequest",
      input: withService({ ServiceName: "a".repeat(41) }),
      code: "InvalidRequest",
      message: ["Member must have length less than or equal to 40"],
    },
    {
      name: "a service name starting with a dash",
      shape: "CreateServiceRequest",
      input: withService({ ServiceName: "-my-service" }),
      code: "InvalidRequest",
      message: [/^1 validation error detected: Value '-my-service' at 'serviceName' .*regular expression pattern/],
    },
    // Unanchored, each of these would match a prefix of the value.
    {
      name: "a pattern is matched against the whole value",
      shape: "CreateServiceRequest",
      input: withService({ ServiceName: "abcd!" }),
      code: "InvalidRequest",
      message: [/^1 validation error detected: Value 'abcd!' at 'serviceName' .*regular expression pattern/],
    },
    {
      name: "an alternation pattern is matched against the whole value",
      shape: "CreateServiceRequest",
      input: withService({ InstanceConfiguration: { Cpu: "10240" } }),
      code: "InvalidRequest",
      message: ["Value '10240' at 'instanceConfiguration.cpu'", "regular expression pattern"],
    },
    {
      name: "an image repository type outside the enum",
      shape: "CreateServiceRequest",
      input: image("nginx", { ImageRepositoryType: "DOCKER_HUB" }),
      code: "InvalidRequest",
      message: ["Value 'DOCKER_HUB' at 'sourceConfiguration.imageRepository.imageRepositoryType' failed to satisfy constraint: Member must satisfy enum value set: [ECR, ECR_PUBLIC]"],
    },
    {
      name: "an image identifier that is no image reference",
      shape: "CreateServiceRequest",
      input: image("Not An Image"),
      code: "InvalidRequest",
      message: ["at 'sourceConfiguration.imageRepository.imageIdentifier' failed to satisfy constraint: Member must satisfy regular expression pattern: a valid OCI image reference"],
    },
    {
      name: "a digest that is too short",
      shape: "CreateServiceRequest",
      input: image("registry/app@sha256:abc"),
      code: "InvalidRequest",
      message: ["a valid OCI image reference"],
    },
    {
      name: "a multi-line StartCommand (sensitive: its value is not echoed)",
      shape: "CreateServiceRequest",
      input: image("nginx", { ImageConfiguration: { StartCommand: "node a.js\nrm -rf /" } }),
      code: "InvalidRequest",
      message: [/^1 validation error detected: Value at 'sourceConfiguration\.imageRepository\.imageConfiguration\.startCommand' failed to satisfy constraint: Member must satisfy regular expression pattern: \[\^\\x0a\\x0d\]\+$/],
    },
    {
      name: "a BuildCommand with a carriage return",
      shape: "CreateServiceRequest",
      input: code({ BuildCommand: "npm ci\rnpm test" }),
      code: "InvalidRequest",
      message: ["Value at 'sourceConfiguration.codeRepository.codeConfiguration.codeConfigurationValues.buildCommand' failed"],
    },
    {
      name: "a runtime outside the enum",
      shape: "CreateServiceRequest",
      input: code({ Runtime: "COBOL_85" }),
      code: "InvalidRequest",
      message: ["Member must satisfy enum value set: [PYTHON_3, NODEJS_12"],
    },
    {
      name: "a CPU value App Runner does not offer",
      shape: "CreateServiceRequest",
      input: withService({ InstanceConfiguration: { Cpu: "3 vCPU" } }),
      code: "InvalidRequest",
      message: ["Value '3 vCPU' at 'instanceConfiguration.cpu'", "regular expression pattern"],
    },
    {
      name: "a health check interval above its range",
      shape: "CreateServiceRequest",
      input: withService({ HealthCheckConfiguration: { Interval: 21 } }),
      code: "InvalidRequest",
      message: ["Value '21' at 'healthCheckConfiguration.interval' failed to satisfy constraint: Member must have value less than or equal to 20"],
    },
    {
      name: "a health check timeout below its range",
      shape: "CreateServiceRequest",
      input: withService({ HealthCheckConfiguration: { Timeout: 0 } }),
      code: "InvalidRequest",
      message: ["Value '0' at 'healthCheckConfiguration.timeout' failed to satisfy constraint: Member must have value greater than or equal to 1"],
    },
    {
      name: "an aws: tag key",
      shape: "CreateServiceRequest",
      input: withService({ Tags: [{ Key: "ok", Value: "1" }, { Key: "aws:reserved", Value: "x" }] }),
      code: "InvalidRequest",
      message: ["Value 'aws:reserved' at 'tags.2.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern"],
    },
    {
      name: "an empty environment variable name (sensitive)",
      shape: "CreateServiceRequest",
      input: image("nginx", { ImageConfiguration: { RuntimeEnvironmentVariables: { "": "x" } } }),
      code: "InvalidRequest",
      message: ["Value at 'sourceConfiguration.imageRepository.imageConfiguration.runtimeEnvironmentVariables.key' failed to satisfy constraint: Member must have length greater than or equal to 1"],
    },
    {
      name: "a KMS key that is not a KMS ARN",
      shape: "CreateServiceRequest",
      input: withService({ EncryptionConfiguration: { KmsKey: "my-key" } }),
      code: "InvalidRequest",
      message: ["at 'encryptionConfiguration.kmsKey'", "regular expression pattern"],
    },
    {
      name: "several violations are listed together",
      shape: "CreateAutoScalingConfigurationRequest",
      input: { AutoScalingConfigurationName: "bad name!", MinSize: 0, MaxSize: 0, MaxConcurrency: 201 },
      code: "InvalidRequest",
      message: [
        /^4 validation errors detected: /,
        "Value 'bad name!' at 'autoScalingConfigurationName'",
        "Value '0' at 'minSize' failed to satisfy constraint: Member must have value greater than or equal to 1",
        "Value '0' at 'maxSize' failed to satisfy constraint: Member must have value greater than or equal to 1",
        "Value '201' at 'maxConcurrency' failed to satisfy constraint: Member must have value less than or equal to 200",
      ],
    },
    {
      name: "MinSize above 25",
      shape: "CreateAutoScalingConfigurationRequest",
      input: { AutoScalingConfigurationName: "asc-one", MinSize: 26 },
      code: "InvalidRequest",
      message: ["Value '26' at 'minSize' failed to satisfy constraint: Member must have value less than or equal to 25"],
    },
    {
      name: "an auto scaling configuration without a name",
      shape: "CreateAutoScalingConfigurationRequest",
      input: { MinSize: 1 },
      code: "InvalidRequest",
      message: ["Value null at 'autoScalingConfigurationName' failed to satisfy constraint: Member must not be null"],
    },
    {
      name: "ListServices with MaxResults 21",
      shape: "ListServicesRequest",
      input: { MaxResults: 21 },
      code: "InvalidRequest",
      message: ["Value '21' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 20"],
    },
    {
      name: "ListServices with MaxResults 0",
      shape: "ListServicesRequest",
      input: { MaxResults: 0 },
      code: "InvalidRequest",
      message: ["Member must have value greater than or equal to 1"],
    },
    // Wrong JSON types are the protocol's SerializationException, not a validation error.
    {
      name: "a number where a string belongs",
      shape: "CreateServiceRequest",
      input: withService({ ServiceName: 1234 }),
      code: "Serialization",
      message: ["Expected a string at 'serviceName' but found a number."],
    },
    {
      name: "a string where an integer belongs",
      shape: "ListServicesRequest",
      input: { MaxResults: "5" },
      code: "Serialization",
      message: ["Expected an integer at 'maxResults' but found a string."],
    },
    {
      name: "a fraction where an integer belongs",
      shape: "ListServicesRequest",
      input: { MaxResults: 1.5 },
      code: "Serialization",
      message: ["Expected an integer at 'maxResults'"],
    },
    {
      name: "a string where a structure belongs",
      shape: "CreateServiceRequest",
      input: { ServiceName: "my-service", SourceConfiguration: "nginx" },
      code: "Serialization",
      message: ["Expected an object at 'sourceConfiguration' but found a string."],
    },
    {
      name: "an object where a list belongs",
      shape: "CreateServiceRequest",
      input: withService({ Tags: { team: "a" } }),
      code: "Serialization",
      message: ["Expected a list at 'tags' but found an object."],
    },
    {
      name: "a list where a map belongs",
      shape: "CreateServiceRequest",
      input: image("nginx", { ImageConfiguration: { RuntimeEnvironmentVariables: ["A=1"] } }),
      code: "Serialization",
      message: ["Expected a map at 'sourceConfiguration.imageRepository.imageConfiguration.runtimeEnvironmentVariables' but found an array."],
    },
    {
      name: "a string where a boolean belongs",
      shape: "CreateServiceRequest",
      input: { ServiceName: "my-service", SourceConfiguration: { AutoDeploymentsEnabled: "true", ImageRepository: { ImageIdentifier: "nginx", ImageRepositoryType: "ECR" } } },
      code: "Serialization",
      message: ["Expected a boolean at 'sourceConfiguration.autoDeploymentsEnabled' but found a string."],
    },
    {
      name: "an array as the whole input",
      shape: "ListServicesRequest",
      input: [],
      code: "Serialization",
      message: ["Expected an object at 'input' but found an array."],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.throws(
        () => validateInput(c.shape, c.input),
        (err: unknown) => {
          assert.ok(err instanceof AppRunnerError, `expected an AppRunnerError, got ${String(err)}`);
          assert.equal(err.code, c.code, err.message);
          for (const m of c.message) {
            if (typeof m === "string") assert.ok(err.message.includes(m), `${JSON.stringify(m)} not in ${JSON.stringify(err.message)}`);
            else assert.match(err.message, m);
          }
          return true;
        },
      );
    });
  }
});

describe("patterns with Unicode property classes (IAM's tags: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)", () => {
  const tags = (Key: string, Value: string): Record<string, unknown> => ({ UserName: "a", Tags: [{ Key, Value }] });
  const cases: [label: string, input: Record<string, unknown>, ok: boolean][] = [
    ["letters", tags("team", "ci"), true],
    ["any script's letters, spaces and digits", tags("équipe 2", "構築"), true],
    ["an empty value", tags("k", ""), true],
    ["a character outside the classes", tags("team#1", "ci"), false],
  ];
  for (const [label, input, ok] of cases) {
    it(`${label}: ${ok ? "taken" : "refused"}`, () => {
      const check = (): void => validateInput("TagUserRequest", input, iamModel);
      if (ok) check();
      else assert.throws(check, /failed to satisfy constraint: Member must satisfy regular expression pattern/);
    });
  }
});
