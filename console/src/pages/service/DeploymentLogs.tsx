import type { Service } from "@aws-sdk/client-apprunner";
import { useState, type ReactNode } from "react";
import { useClients } from "../../api/clients";
import { downloadText, logGroups, wholeStream } from "../../api/logs";
import { humanOperation, listAllOperations } from "../../api/services";
import { ErrorBanner } from "../../components/Field";
import { LogView } from "../../components/LogView";
import { StatusBadge } from "../../components/StatusBadge";
import { formatTime, usePolled } from "../../hooks";

/** Deployment logs: one `deployment/<operation id>` stream per operation; searchable, opens, downloads. */
export function DeploymentLogs({ service, initialOperation }: { service: Service; initialOperation?: string }): ReactNode {
  const { apprunner, logs } = useClients();
  const arn = service.ServiceArn ?? "";
  const group = logGroups(service).service;
  const [search, setSearch] = useState("");
  const [open, setOpen] = useState<string | undefined>(initialOperation);
  const ops = usePolled(() => listAllOperations(apprunner, arn), `ops-${arn}`, 3000);
  const lines = usePolled(async () => (open ? wholeStream(logs, group, `deployment/${open}`) : undefined), `deploy-${open ?? ""}`, open ? 3000 : undefined);
  const needle = search.trim().toLowerCase();
  const shown = (ops.data ?? []).filter((o) => needle === "" || [o.Type, o.Status, o.Id].some((v) => v?.toLowerCase().includes(needle)));
  return (
    <section aria-labelledby="deploy-log-title" className="card">
      <div className="card-head">
        <h2 id="deploy-log-title">Deployment logs ({ops.data?.length ?? 0})</h2>
        <label className="inline">
          <span className="sr-only">Search deployment logs</span>
          <input type="search" placeholder="Search deployments" value={search} onChange={(e) => setSearch(e.target.value)} />
        </label>
      </div>
      <ErrorBanner message={ops.error ?? lines.error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Operation</th>
              <th scope="col">Status</th>
              <th scope="col">Started</th>
              <th scope="col">Ended</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((o) => (
              <tr key={o.Id} aria-selected={open === o.Id}>
                <td data-label="Operation">
                  <button type="button" className="link" onClick={() => setOpen(o.Id)} aria-pressed={open === o.Id}>
                    {humanOperation(o.Type)}
                  </button>
                </td>
                <td data-label="Status">
                  <StatusBadge status={o.Status} />
                </td>
                <td data-label="Started">{formatTime(o.StartedAt)}</td>
                <td data-label="Ended">{o.EndedAt ? formatTime(o.EndedAt) : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {open && (
        <div className="deploy-log">
          <div className="card-head">
            <h3>Deployment log {open.slice(0, 8)}</h3>
            <div className="btn-row">
              <button type="button" className="btn" disabled={!lines.data} onClick={() => downloadText(`deployment-${open}.log`, lines.data ?? [])}>
                Download
              </button>
              <button type="button" className="btn btn-quiet" onClick={() => setOpen(undefined)}>
                Close
              </button>
            </div>
          </div>
          <LogView lines={lines.data} label={`Deployment log ${open}`} />
        </div>
      )}
    </section>
  );
}
