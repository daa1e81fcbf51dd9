import type { ReactNode } from "react";
import { useClients } from "../../api/clients";
import { deleteParameter, type ParameterMetadata } from "../../api/secrets";
import { ConfirmDelete } from "../../components/ConfirmDelete";
import { ErrorBanner } from "../../components/Field";
import { ResourceTable } from "../../components/ResourceTable";
import { formatTime } from "../../hooks";
import { useRowActions } from "./useCall";

/** Parameter Store's list (DescribeParameters): metadata only, never a value. */
export function ParametersTable({ parameters, reload }: { parameters: ParameterMetadata[]; reload: () => void }): ReactNode {
  const { apprunner } = useClients();
  const { busy, failure, deleting, setDeleting, act } = useRowActions<ParameterMetadata>(reload);
  return (
    <>
      <ErrorBanner message={failure} />
      <ResourceTable label="Parameters" columns={["Parameter name", "Type", "Version", "Last modified", "KMS key", "Actions"]}>
        {parameters.map((p) => (
          <tr key={p.arn || p.name} data-parameter={p.name}>
            <td data-label="Parameter name" className="wrap">
              {p.name}
              {p.description && <p className="hint">{p.description}</p>}
            </td>
            <td data-label="Type">{p.type}</td>
            <td data-label="Version">{p.version ?? "—"}</td>
            <td data-label="Last modified">{formatTime(p.lastModifiedDate)}</td>
            <td data-label="KMS key" className="wrap">
              {p.keyId ?? "—"}
            </td>
            <td data-label="Actions">
              <button type="button" className="btn btn-danger" disabled={busy} onClick={() => setDeleting(p)}>
                Delete<span className="sr-only"> {p.name}</span>
              </button>
            </td>
          </tr>
        ))}
      </ResourceTable>
      {deleting && <ConfirmDelete what="parameter" name={deleting.name} busy={busy} onCancel={() => setDeleting(undefined)} onConfirm={() => void act(() => deleteParameter(apprunner, deleting.name))} />}
    </>
  );
}
