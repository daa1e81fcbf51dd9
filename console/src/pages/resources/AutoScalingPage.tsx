import {
  CreateAutoScalingConfigurationCommand,
  DeleteAutoScalingConfigurationCommand,
  ListAutoScalingConfigurationsCommand,
  UpdateDefaultAutoScalingConfigurationCommand,
  type AutoScalingConfigurationSummary,
  type AppRunnerClient,
} from "@aws-sdk/client-apprunner";
import { useState, type ReactNode } from "react";
import { useClients } from "../../api/clients";
import { problemOf, type ApiProblem } from "../../api/errors";
import { ConfirmDelete } from "../../components/ConfirmDelete";
import { ErrorBanner } from "../../components/Field";
import { ResourceTable } from "../../components/ResourceTable";
import { StatusBadge } from "../../components/StatusBadge";
import { formatTime, usePolled } from "../../hooks";
import { AutoScalingForm } from "./AutoScalingForm";

async function listAll(client: AppRunnerClient): Promise<AutoScalingConfigurationSummary[]> {
  const out: AutoScalingConfigurationSummary[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListAutoScalingConfigurationsCommand({ NextToken: token, MaxResults: 100, LatestOnly: false }));
    out.push(...(page.AutoScalingConfigurationSummaryList ?? []));
    token = page.NextToken;
  } while (token);
  return out;
}

/** Auto scaling configurations: every revision; create (a known name adds a revision), set default, delete. */
export function AutoScalingPage(): ReactNode {
  const { apprunner } = useClients();
  const list = usePolled(() => listAll(apprunner), "asc-all", 10_000);
  const [error, setError] = useState<ApiProblem | undefined>(undefined);
  const [deleting, setDeleting] = useState<AutoScalingConfigurationSummary | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const act = async (send: () => Promise<unknown>): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await send();
      list.reload();
    } catch (err) {
      setError(problemOf(err));
    } finally {
      setBusy(false);
      setDeleting(undefined);
    }
  };
  const rows = [...(list.data ?? [])].sort(
    (a, b) => (a.AutoScalingConfigurationName ?? "").localeCompare(b.AutoScalingConfigurationName ?? "") || (b.AutoScalingConfigurationRevision ?? 0) - (a.AutoScalingConfigurationRevision ?? 0),
  );
  return (
    <section aria-labelledby="asc-title">
      <h1 id="asc-title">Auto scaling configurations</h1>
      <AutoScalingForm
        onCreate={async (input) => {
          await apprunner.send(new CreateAutoScalingConfigurationCommand(input));
          list.reload();
        }}
      />
      <ErrorBanner message={error ?? list.error} listing={error ? undefined : "auto scaling configurations"} />
      <ResourceTable columns={["Name", "Revision", "Status", "Default", "In use", "Created", "Actions"]}>
        {rows.map((c) => (
          <tr key={c.AutoScalingConfigurationArn}>
            <td data-label="Name">{c.AutoScalingConfigurationName}</td>
            <td data-label="Revision">{c.AutoScalingConfigurationRevision}</td>
            <td data-label="Status">
              <StatusBadge status={c.Status} />
            </td>
            <td data-label="Default">{c.IsDefault ? "Default" : "—"}</td>
            <td data-label="In use">{c.HasAssociatedService ? "Yes" : "No"}</td>
            <td data-label="Created">{formatTime(c.CreatedAt)}</td>
            <td data-label="Actions" className="btn-row">
              <button
                type="button"
                className="btn btn-quiet"
                disabled={busy || c.IsDefault === true}
                onClick={() => void act(() => apprunner.send(new UpdateDefaultAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: c.AutoScalingConfigurationArn })))}
              >
                Set default<span className="sr-only"> {c.AutoScalingConfigurationName} revision {c.AutoScalingConfigurationRevision}</span>
              </button>
              <button type="button" className="btn btn-danger" disabled={busy} onClick={() => setDeleting(c)}>
                Delete<span className="sr-only"> {c.AutoScalingConfigurationName} revision {c.AutoScalingConfigurationRevision}</span>
              </button>
            </td>
          </tr>
        ))}
      </ResourceTable>
      {deleting && (
        <ConfirmDelete
          what="configuration"
          name={deleting.AutoScalingConfigurationName ?? ""}
          busy={busy}
          onCancel={() => setDeleting(undefined)}
          onConfirm={() => void act(() => apprunner.send(new DeleteAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: deleting.AutoScalingConfigurationArn })))}
        />
      )}
    </section>
  );
}
