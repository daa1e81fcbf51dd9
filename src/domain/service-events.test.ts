import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { OperationType } from "../store/operations.js";
import { OPERATION_EVENTS, UPDATE_CONFIGURATION_ONLY_MESSAGE, operationEvent, serviceStatusEvent } from "./service-events.js";

/**
 * The developer guide's "App Runner event reference" table, copied as it stands. The guide's
 * text lost the message cell of UpdateServiceStarted (its row shows only the status); the
 * message used here, "Service update started.", follows the pattern of every other *Started row.
 */
const GUIDE_TABLE = `
CreateServiceStarted	Service creation started.
CreateServiceCompletedSuccessfully	Service creation completed successfully.
CreateServiceFailed	Service creation failed. For details, see service logs.
DeleteServiceStarted	Service deletion started.
DeleteServiceCompletedSuccessfully	Service deletion completed successfully.
DeleteServiceFailed	Service deletion failed.
UpdateServiceStarted	Service update started.
UpdateServiceCompletedSuccessfully	Service update completed successfully. New application and configuration is deployed.
UpdateServiceFailed	Service update failed. For details, see service logs.
DeploymentStarted	Deployment started.
DeploymentCompletedSuccessfully	Deployment completed successfully.
DeploymentFailed	Deployment failed. For details, see service logs.
PauseServiceStarted	Service pause started.
PauseServiceCompletedSuccessfully	Service pause completed successfully.
PauseServiceFailed	Service pause failed.
ResumeServiceStarted	Service resume started.
ResumeServiceCompletedSuccessfully	Service resume completed successfully.
ResumeServiceFailed	Service resume failed.
`;
/** The guide's second message of UpdateServiceCompletedSuccessfully (its continuation row). */
const GUIDE_UPDATE_CONFIGURATION_ONLY = "Service update completed successfully. New configuration is deployed.";

const guide = new Map(
  GUIDE_TABLE.trim()
    .split("\n")
    .map((line) => line.split("\t") as [string, string]),
);

const STATUS_PREFIX: Record<OperationType, string> = {
  CREATE_SERVICE: "CreateService",
  DELETE_SERVICE: "DeleteService",
  UPDATE_SERVICE: "UpdateService",
  START_DEPLOYMENT: "Deployment",
  PAUSE_SERVICE: "PauseService",
  RESUME_SERVICE: "ResumeService",
};
const PHASES = ["Started", "CompletedSuccessfully", "Failed"] as const;

describe("operationEvent matches the guide's event reference", () => {
  for (const [type, prefix] of Object.entries(STATUS_PREFIX) as [OperationType, string][]) {
    for (const phase of PHASES) {
      it(`${type} ${phase}`, () => {
        const status = `${prefix}${phase}`;
        const ev = operationEvent(type, phase);
        assert.equal(ev.status, status);
        assert.equal(ev.message, guide.get(status));
        assert.equal(ev.severity, phase === "Failed" ? "ERROR" : "INFO");
      });
    }
  }

  it("has exactly the guide's statuses, no more", () => {
    assert.deepEqual(Object.keys(OPERATION_EVENTS).sort(), [...guide.keys()].sort());
  });

  it("says 'New configuration is deployed' when an update changed only configuration", () => {
    assert.equal(UPDATE_CONFIGURATION_ONLY_MESSAGE, GUIDE_UPDATE_CONFIGURATION_ONLY);
    const ev = operationEvent("UPDATE_SERVICE", "CompletedSuccessfully", { sourceChanged: false });
    assert.deepEqual(ev, { status: "UpdateServiceCompletedSuccessfully", message: GUIDE_UPDATE_CONFIGURATION_ONLY, severity: "INFO" });
  });

  it("keeps the application message when the source changed or nobody said", () => {
    const appMessage = guide.get("UpdateServiceCompletedSuccessfully");
    assert.equal(operationEvent("UPDATE_SERVICE", "CompletedSuccessfully", { sourceChanged: true }).message, appMessage);
    assert.equal(operationEvent("UPDATE_SERVICE", "CompletedSuccessfully").message, appMessage);
  });

  it("uses the configuration-only message for UpdateService success alone", () => {
    for (const type of Object.keys(STATUS_PREFIX) as OperationType[]) {
      for (const phase of PHASES) {
        if (type === "UPDATE_SERVICE" && phase === "CompletedSuccessfully") continue;
        assert.equal(operationEvent(type, phase, { sourceChanged: false }).message, guide.get(`${STATUS_PREFIX[type]}${phase}`));
      }
    }
  });
});

describe("serviceStatusEvent follows the guide's service status change", () => {
  const cases: [status: string, severity: "INFO" | "ERROR"][] = [
    ["RUNNING", "INFO"],
    ["OPERATION_IN_PROGRESS", "INFO"],
    ["PAUSED", "INFO"],
    ["DELETED", "INFO"],
    ["CREATE_FAILED", "ERROR"],
    ["DELETE_FAILED", "ERROR"],
  ];
  for (const [status, severity] of cases) {
    it(status, () => {
      assert.deepEqual(serviceStatusEvent(status), { message: `Service status is set to ${status}.`, severity });
    });
  }
});
