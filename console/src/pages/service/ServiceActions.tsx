import {
  DeleteServiceCommand,
  PauseServiceCommand,
  ResumeServiceCommand,
  StartDeploymentCommand,
  type Service,
} from "@aws-sdk/client-apprunner";
import { useState, type ReactNode } from "react";
import { useClients } from "../../api/clients";
import { problemOf, type ApiProblem } from "../../api/errors";
import { ConfirmDelete } from "../../components/ConfirmDelete";
import { ErrorBanner } from "../../components/Field";
import { navigate } from "../../router";

/** Deploy, Pause, Resume and Delete, enabled as the service's status allows. */
export function ServiceActions({ service, reload }: { service: Service; reload: () => void }): ReactNode {
  const { apprunner } = useClients();
  const [error, setError] = useState<ApiProblem | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const arn = service.ServiceArn ?? "";
  const status = service.Status ?? "";
  const settled = status === "RUNNING" || status === "PAUSED";

  const run = async (send: () => Promise<unknown>, after?: () => void): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await send();
      reload();
      after?.();
    } catch (err) {
      setError(problemOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="service-actions">
      <div className="btn-row">
        <button type="button" className="btn" disabled={busy || status !== "RUNNING"} onClick={() => void run(() => apprunner.send(new StartDeploymentCommand({ ServiceArn: arn })))}>
          Deploy
        </button>
        {status === "PAUSED" ? (
          <button type="button" className="btn" disabled={busy} onClick={() => void run(() => apprunner.send(new ResumeServiceCommand({ ServiceArn: arn })))}>
            Resume
          </button>
        ) : (
          <button type="button" className="btn" disabled={busy || status !== "RUNNING"} onClick={() => void run(() => apprunner.send(new PauseServiceCommand({ ServiceArn: arn })))}>
            Pause
          </button>
        )}
        <button type="button" className="btn btn-danger" disabled={busy || status === "DELETED"} onClick={() => setConfirming(true)}>
          Delete
        </button>
      </div>
      <ErrorBanner message={error} />
      {!settled && status !== "DELETED" && <p className="hint">Actions are available when the current operation ends.</p>}
      {confirming && (
        <ConfirmDelete
          what="service"
          name={service.ServiceName ?? ""}
          busy={busy}
          onCancel={() => setConfirming(false)}
          onConfirm={() =>
            void run(
              () => apprunner.send(new DeleteServiceCommand({ ServiceArn: arn })),
              () => {
                setConfirming(false);
                navigate("/services");
              },
            )
          }
        />
      )}
    </div>
  );
}
