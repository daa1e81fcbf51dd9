import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AppRunnerError } from "../errors/app-runner-error.js";
import type { OperationState } from "../store/operations.js";
import { requestOf, storedRequest, type OperationRequest, type PreviousConfiguration } from "./operation-request.js";

const previous: PreviousConfiguration = {
  SourceConfiguration: { ImageRepository: { ImageIdentifier: "public.ecr.aws/nginx/nginx:latest", ImageRepositoryType: "ECR_PUBLIC" } },
  InstanceConfiguration: { Cpu: "1024", Memory: "2048" },
  NetworkConfiguration: { EgressConfiguration: { EgressType: "DEFAULT" } },
};

describe("operation requests: the contract between the API and the engine", () => {
  // The stored JSON is what the previous version wrote: operations in flight across an upgrade still load.
  const table: [OperationRequest, Omit<OperationState, "phase">][] = [
    [{ type: "CREATE_SERVICE" }, {}],
    [{ type: "UPDATE_SERVICE", sourceChanged: true, previous }, { sourceChanged: true, request: { previous } }],
    [{ type: "UPDATE_SERVICE", sourceChanged: false }, { sourceChanged: false }],
    [{ type: "START_DEPLOYMENT" }, {}],
    [{ type: "START_DEPLOYMENT", trigger: "IMAGE_UPDATE" }, { trigger: "IMAGE_UPDATE" }],
    [{ type: "PAUSE_SERVICE" }, {}],
    [{ type: "RESUME_SERVICE" }, {}],
    [{ type: "DELETE_SERVICE" }, {}],
  ];
  for (const [req, stored] of table) {
    it(`${JSON.stringify(req)} is stored as ${JSON.stringify(stored)} and reads back the same`, () => {
      assert.deepEqual(storedRequest(req), stored);
      assert.deepEqual(requestOf(req.type, { phase: "start", ...JSON.parse(JSON.stringify(stored)) as object }), req);
    });
  }

  it("reads the state an earlier version stored mid-operation, engine progress beside the request", () => {
    const state = JSON.parse(
      `{"phase":"health","deploymentId":"d1","previousDeploymentId":"d0","sourceChanged":false,"request":{"previous":${JSON.stringify(previous)}}}`,
    ) as OperationState;
    assert.deepEqual(requestOf("UPDATE_SERVICE", state), { type: "UPDATE_SERVICE", sourceChanged: false, previous });
    assert.deepEqual(requestOf("CREATE_SERVICE", state), { type: "CREATE_SERVICE" });
  });

  const malformed: [OperationRequest["type"], Partial<OperationState>, RegExp][] = [
    ["UPDATE_SERVICE", { sourceChanged: "yes" }, /malformed sourceChanged/],
    ["UPDATE_SERVICE", { request: "previous" }, /malformed request/],
    ["UPDATE_SERVICE", { request: { previous: [1] } }, /malformed request\.previous/],
    ["START_DEPLOYMENT", { trigger: 7 }, /malformed trigger/],
  ];
  for (const [type, state, message] of malformed) {
    it(`refuses a ${type} whose stored request is ${JSON.stringify(state)}`, () => {
      assert.throws(() => requestOf(type, { phase: "start", ...state }), (err: unknown) => err instanceof AppRunnerError && message.test(err.message));
    });
  }
});
