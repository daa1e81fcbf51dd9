import { useState, type ReactNode } from "react";
import { useClients } from "../../api/clients";
import { deleteParameter, type ParameterMetadata } from "../../api/secrets";
import { ConfirmDelete } from "../../components/ConfirmDelete";
import { ErrorBanner } from "../../components/Field";
import { formatTime } from "../../hooks";
import { useCall } from "./useCall";

/** Parameter Store's list (DescribeParameters): metadata only, never a value. */
export function ParametersTable({ parameters, reload }: { parameters: ParameterMetadata[]; reload: () => void }): ReactNode {
  const { apprunner } = useClients();
  const [deleting, setDeleting] = useState<ParameterMetadata | undefined>(undefined);
  const { busy, failure, run } = useCall();
  const remove = async (p: ParameterMetadata): Promise<void> => {
    if (await run(() => deleteParameter(apprunner, p.name))) reload();
    setDeleting(undefined);
  };
  return (
    <>
      <ErrorBanner message={failure} />
      <div className="table-wrap">
        <table aria-label="Parameters">
          <thead>
            <tr>
              <th scope="col">Parameter name</th>
              <th scope="col">Type</th>
              <th scope="col">Version</th>
              <th scope="col">Last modified</th>
              <th scope="col">KMS key</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
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
          </tbody>
        </table>
      </div>
      {deleting && <ConfirmDelete what="parameter" name={deleting.name} busy={busy} onCancel={() => setDeleting(undefined)} onConfirm={() => void remove(deleting)} />}
    </>
  );
}
