import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { awsProviderBlocks, endpointEnvironment } from "./terraform.js";

describe("the AWS provider's endpoints for the Terraform tests", () => {
  it("names each service and STS in the AWS SDK's AWS_ENDPOINT_URL_<service id>", () => {
    assert.deepEqual(endpointEnvironment({ url: "http://127.0.0.1:1", services: ["apprunner", "secretsmanager"] }), {
      AWS_ENDPOINT_URL_APPRUNNER: "http://127.0.0.1:1",
      AWS_ENDPOINT_URL_SECRETS_MANAGER: "http://127.0.0.1:1",
      AWS_ENDPOINT_URL_STS: "http://127.0.0.1:1",
    });
    assert.throws(() => endpointEnvironment({ url: "http://127.0.0.1:1", services: ["s3"] }), /s3/);
  });

  it("writes an endpoints block only when asked, with STS", () => {
    assert.doesNotMatch(awsProviderBlocks("5.100.0"), /endpoints/);
    assert.match(awsProviderBlocks("5.100.0", { endpointsBlock: { url: "http://h:1", services: ["apprunner"] } }), /endpoints \{\n {4}apprunner = "http:\/\/h:1"\n {4}sts = "http:\/\/h:1"\n {2}\}/);
  });
});
