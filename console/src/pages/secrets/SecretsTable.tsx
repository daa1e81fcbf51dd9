import { useState, type ReactNode } from "react";
import { useClients } from "../../api/clients";
import { deleteSecret, restoreSecret, type SecretListEntry } from "../../api/secrets";
import { ConfirmDelete } from "../../components/ConfirmDelete";
import { ErrorBanner } from "../../components/Field";
import { ResourceTable } from "../../components/ResourceTable";
import { formatTime } from "../../hooks";
import { useRowActions } from "./useCall";

/** Secrets Manager's list: names and metadata only; delete with a recovery window, restore within it. */
export function SecretsTable({ secrets, reload }: { secrets: SecretListEntry[]; reload: () => void }): ReactNode {
  const { apprunner } = useClients();
  const [days, setDays] = useState("30");
  const { busy, failure, deleting, setDeleting, act } = useRowActions<SecretListEntry>(reload);
  return (
    <>
      <ErrorBanner message={failure} />
      <ResourceTable label="Secrets" columns={["Secret name", "Description", "Encryption key", "Last changed", "Tags", "Actions"]}>
        {secrets.map((s) => (
          <tr key={s.arn} data-secret={s.name}>
            <td data-label="Secret name" className="wrap">
              {s.name}
              <br />
              <code className="hint">{s.arn}</code>
            </td>
            <td data-label="Description">{s.description ?? "—"}</td>
            <td data-label="Encryption key" className="wrap">
              {s.kmsKeyId ?? "aws/secretsmanager"}
            </td>
            <td data-label="Last changed">{formatTime(s.lastChangedDate)}</td>
            <td data-label="Tags">{s.tags.length === 0 ? "—" : s.tags.map((t) => `${t.key}=${t.value}`).join(", ")}</td>
            <td data-label="Actions">
              {s.deletedDate ? (
                <>
                  <span className="status-note" data-testid="scheduled-deletion">
                    Deletion scheduled (asked {formatTime(s.deletedDate)})
                  </span>{" "}
                  <button type="button" className="btn" disabled={busy} onClick={() => void act(() => restoreSecret(apprunner, s.arn))}>
                    Restore<span className="sr-only"> {s.name}</span>
                  </button>
                </>
              ) : (
                <button type="button" className="btn btn-danger" disabled={busy} onClick={() => setDeleting(s)}>
                  Delete<span className="sr-only"> {s.name}</span>
                </button>
              )}
            </td>
          </tr>
        ))}
      </ResourceTable>
      {deleting && (
        <ConfirmDelete
          what="secret"
          name={deleting.name}
          busy={busy}
          consequence="The secret is kept, unreadable, for its recovery window and can be restored until then; deployments that read it fail."
          onCancel={() => setDeleting(undefined)}
          onConfirm={() => void act(() => deleteSecret(apprunner, deleting.arn, Number(days)))}
        >
          <label htmlFor="recovery-window">Recovery window (days, 7 to 30)</label>
          <input id="recovery-window" type="number" min={7} max={30} value={days} onChange={(e) => setDays(e.target.value)} />
        </ConfirmDelete>
      )}
    </>
  );
}
