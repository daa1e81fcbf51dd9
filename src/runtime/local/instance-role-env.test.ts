import assert from "node:assert/strict";
import { test } from "node:test";
import { withInstanceRoleEnv } from "./instance-lifecycle.js";

const role = {
  AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.202.0.5/openrunner/instance-credentials/i1",
  AWS_CONTAINER_AUTHORIZATION_TOKEN: "t0k",
  AWS_ENDPOINT_URL: "http://127.202.0.5",
  AWS_REGION: "us-east-1",
  AWS_DEFAULT_REGION: "us-east-1",
};

test("withInstanceRoleEnv: the credential variables are always OpenRunner's; the service's own endpoint and region win", () => {
  const cases: [string[], string[]][] = [
    [["PORT=8080"], ["PORT=8080", ...Object.entries(role).map(([k, v]) => `${k}=${v}`)]],
    [
      ["PORT=8080", "AWS_REGION=eu-west-1", "AWS_CONTAINER_AUTHORIZATION_TOKEN=mine", "AWS_ENDPOINT_URL=https://example.test"],
      [
        "PORT=8080",
        "AWS_REGION=eu-west-1",
        "AWS_ENDPOINT_URL=https://example.test",
        `AWS_CONTAINER_CREDENTIALS_FULL_URI=${role.AWS_CONTAINER_CREDENTIALS_FULL_URI}`,
        "AWS_CONTAINER_AUTHORIZATION_TOKEN=t0k",
        "AWS_DEFAULT_REGION=us-east-1",
      ],
    ],
  ];
  for (const [env, want] of cases) assert.deepEqual(withInstanceRoleEnv(env, role), want);
});
