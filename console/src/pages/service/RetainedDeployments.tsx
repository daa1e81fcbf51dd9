import { useState, type ReactNode } from "react";
import { useClients } from "../../api/clients";
import { problemOf, type ApiProblem } from "../../api/errors";
import { shortDigest } from "../../api/image-source";
import { listServiceDeployments, rollbackService, type ServiceDeploymentSummary } from "../../api/openrunner";
import { ErrorBanner } from "../../components/Field";
import { ModalForm } from "../../components/ModalForm";
import { formatTime, usePolled } from "../../hooks";
import type { TabProps } from "./ServiceDashboard";

/** Asks before a rollback: what it deploys again, and that it goes through the health-checked deployment. */
function ConfirmRollback({ deployment, busy, onConfirm, onCancel }: { deployment: ServiceDeploymentSummary; busy: boolean; onConfirm: () => void; onCancel: () => void }): ReactNode {
  return (
    <ModalForm
      title={<>Roll back to deployment {deployment.DeploymentId}?</>}
      submit={{ label: "Roll back", className: "btn btn-primary", disabled: busy }}
      onSubmit={onConfirm}
      onCancel={onCancel}
    >
      <p>
        Its image ({shortDigest(deployment.ImageDigest)}, {deployment.SourceSummary}) and the configuration it ran with are deployed again, without a pull or a
        build. Traffic moves once it passes its health check; if it fails, what serves now keeps serving.
      </p>
    </ModalForm>
  );
}

/** The retained successful deployments (OpenRunner.ListServiceDeployments), each with "Roll back to this version". */
export function RetainedDeployments({ service, reload }: TabProps): ReactNode {
  const { apprunner } = useClients();
  const arn = service.ServiceArn ?? "";
  const deployments = usePolled(() => listServiceDeployments(apprunner, arn), `deployments-${arn}`, 5000);
  const [chosen, setChosen] = useState<ServiceDeploymentSummary | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiProblem | undefined>(undefined);
  const running = service.Status === "RUNNING";

  const rollBack = async (d: ServiceDeploymentSummary): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await rollbackService(apprunner, arn, d.DeploymentId);
      setChosen(undefined);
      reload();
      deployments.reload();
    } catch (err) {
      setError(problemOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="deployments-title" className="card">
      <div className="card-head">
        <h2 id="deployments-title">Successful deployments ({deployments.data?.length ?? 0})</h2>
      </div>
      <p className="hint">The last 10 successful deployments are kept with their image and configuration, to roll back to without a rebuild.</p>
      <ErrorBanner message={deployments.error ?? error} listing="deployments" />
      <div className="table-wrap">
        <table className="deployments">
          <thead>
            <tr>
              <th scope="col">Deployment</th>
              <th scope="col">Completed</th>
              <th scope="col">Image</th>
              <th scope="col">Source</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {(deployments.data ?? []).map((d) => (
              <tr key={d.DeploymentId} data-deployment={d.DeploymentId}>
                <td data-label="Deployment">{d.DeploymentId}</td>
                <td data-label="Completed">{formatTime(new Date(d.CompletedAt * 1000))}</td>
                <td data-label="Image" title={d.ImageDigest}>
                  {shortDigest(d.ImageDigest)}
                </td>
                <td data-label="Source">{d.SourceSummary}</td>
                <td data-label="Action">
                  {d.Serving ? (
                    <span className="hint">Serving</span>
                  ) : (
                    <button type="button" className="btn" disabled={busy || !running} onClick={() => setChosen(d)}>
                      Roll back to this version
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {chosen && <ConfirmRollback deployment={chosen} busy={busy} onCancel={() => setChosen(undefined)} onConfirm={() => void rollBack(chosen)} />}
    </section>
  );
}
