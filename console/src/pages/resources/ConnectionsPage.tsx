import { CreateConnectionCommand, DeleteConnectionCommand, ListConnectionsCommand, type ConnectionSummary, type ProviderType } from "@aws-sdk/client-apprunner";
import { useState, type FormEvent, type ReactNode } from "react";
import { useClients } from "../../api/clients";
import { fieldErrors, problemOf, type ApiProblem } from "../../api/errors";
import { ConfirmDelete } from "../../components/ConfirmDelete";
import { ErrorBanner, Field } from "../../components/Field";
import { FilterBox } from "../../components/FilterBox";
import { StatusBadge } from "../../components/StatusBadge";
import { formatTime, usePolled } from "../../hooks";
import { CompleteHandshakeDialog } from "./CompleteHandshakeDialog";

/**
 * Connections to source code providers. A pending handshake is completed here ("Complete
 * handshake": the provider token goes once, over a signed call, to be stored encrypted) or on
 * the server's host with `openrunner connection complete-handshake`.
 */
export function ConnectionsPage(): ReactNode {
  const { apprunner } = useClients();
  const list = usePolled(async () => (await apprunner.send(new ListConnectionsCommand({ MaxResults: 100 }))).ConnectionSummaryList ?? [], "connections", 5000);
  const [filter, setFilter] = useState("");
  const [name, setName] = useState("");
  const [provider, setProvider] = useState<ProviderType>("GITHUB");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<ApiProblem | undefined>(undefined);
  const [deleting, setDeleting] = useState<ConnectionSummary | undefined>(undefined);
  const [handshaking, setHandshaking] = useState<ConnectionSummary | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const create = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setFailure(undefined);
    try {
      await apprunner.send(new CreateConnectionCommand({ ConnectionName: name.trim(), ProviderType: provider }));
      setName("");
      list.reload();
    } catch (err) {
      const problem = problemOf(err);
      if (problem.denied) setFailure(problem);
      else setErrors(fieldErrors(err, { name: { paths: ["connectionName"], words: /name|connections/i } }));
    } finally {
      setBusy(false);
    }
  };
  const remove = async (c: ConnectionSummary): Promise<void> => {
    setBusy(true);
    try {
      await apprunner.send(new DeleteConnectionCommand({ ConnectionArn: c.ConnectionArn }));
      list.reload();
    } catch (err) {
      setFailure(problemOf(err));
    } finally {
      setBusy(false);
      setDeleting(undefined);
    }
  };
  const needle = filter.trim().toLowerCase();
  const shown = (list.data ?? []).filter((c) => needle === "" || [c.ConnectionName, c.ProviderType, c.Status].some((v) => v?.toLowerCase().includes(needle)));
  return (
    <section aria-labelledby="conn-title">
      <h1 id="conn-title">Connections</h1>
      <form className="card row align-end" onSubmit={(e) => void create(e)} noValidate aria-label="Add connection">
        <Field label="Connection name" error={errors.name}>
          {({ id, describedBy, invalid }) => <input id={id} aria-describedby={describedBy} aria-invalid={invalid} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Provider">
          {({ id }) => (
            <select id={id} value={provider} onChange={(e) => setProvider(e.target.value as ProviderType)}>
              <option value="GITHUB">GitHub</option>
              <option value="BITBUCKET">Bitbucket</option>
            </select>
          )}
        </Field>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          Add connection
        </button>
      </form>
      <ErrorBanner message={failure ?? errors.form ?? list.error} listing={failure ?? errors.form ? undefined : "connections"} />
      <p className="hint">
        To complete a pending handshake, use <strong>Complete handshake</strong> with a provider token, or run <code>openrunner connection complete-handshake --connection-arn ARN</code> on the OpenRunner host and paste the token there.
      </p>
      <FilterBox label="Filter connections" value={filter} onChange={setFilter} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Provider</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <th scope="col">ARN</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((c) => (
              <tr key={c.ConnectionArn}>
                <td data-label="Name">{c.ConnectionName}</td>
                <td data-label="Provider">{c.ProviderType}</td>
                <td data-label="Status">
                  <StatusBadge status={c.Status} />
                </td>
                <td data-label="Created">{formatTime(c.CreatedAt)}</td>
                <td data-label="ARN" className="wrap">
                  <code>{c.ConnectionArn}</code>
                </td>
                <td data-label="Actions">
                  {c.Status === "PENDING_HANDSHAKE" && (
                    <button type="button" className="btn" disabled={busy} onClick={() => setHandshaking(c)}>
                      Complete handshake<span className="sr-only"> for {c.ConnectionName}</span>
                    </button>
                  )}{" "}
                  <button type="button" className="btn btn-danger" disabled={busy} onClick={() => setDeleting(c)}>
                    Delete<span className="sr-only"> {c.ConnectionName}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {list.data && shown.length === 0 && <p className="hint">No connections.</p>}
      </div>
      {handshaking && (
        <CompleteHandshakeDialog
          connection={handshaking}
          onCancel={() => setHandshaking(undefined)}
          onDone={() => {
            setHandshaking(undefined);
            list.reload();
          }}
        />
      )}
      {deleting && <ConfirmDelete what="connection" name={deleting.ConnectionName ?? ""} busy={busy} onCancel={() => setDeleting(undefined)} onConfirm={() => void remove(deleting)} />}
    </section>
  );
}
