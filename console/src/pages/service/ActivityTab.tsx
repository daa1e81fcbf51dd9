import { useState, type ReactNode } from "react";
import { useClients } from "../../api/clients";
import { humanOperation, listAllOperations } from "../../api/services";
import { ErrorBanner } from "../../components/Field";
import { StatusBadge } from "../../components/StatusBadge";
import { formatTime, usePolled } from "../../hooks";
import { Link } from "../../router";
import { RetainedDeployments } from "./RetainedDeployments";
import { RolloutPanel } from "./RolloutPanel";
import type { TabProps } from "./ServiceDashboard";

/**
 * The service's latest gradual rollout, when it has had one; operations on the service
 * (ListOperations), newest first, each linking to its log; below, the deployments a rollback
 * can deploy again.
 */
export function ActivityTab({ service, reload }: TabProps): ReactNode {
  const { apprunner } = useClients();
  const arn = service.ServiceArn ?? "";
  const [search, setSearch] = useState("");
  const ops = usePolled(() => listAllOperations(apprunner, arn), `activity-${arn}`, 3000);
  const needle = search.trim().toLowerCase();
  const shown = (ops.data ?? []).filter((o) => needle === "" || [humanOperation(o.Type), o.Status, o.Id].some((v) => v?.toLowerCase().includes(needle)));
  const logsPath = `/services/${encodeURIComponent(service.ServiceName ?? "")}/${service.ServiceId ?? ""}/logs`;
  return (
    <>
      <RolloutPanel service={service} reload={reload} />
      <section aria-labelledby="activity-title" className="card">
        <div className="card-head">
          <h2 id="activity-title">Activity ({ops.data?.length ?? 0})</h2>
          <label className="inline">
            <span className="sr-only">Search activity</span>
            <input type="search" placeholder="Search activity" value={search} onChange={(e) => setSearch(e.target.value)} />
          </label>
        </div>
        <ErrorBanner message={ops.error} listing="operations" />
        <div className="table-wrap">
          <table className="activity">
            <thead>
              <tr>
                <th scope="col">Operation</th>
                <th scope="col">Status</th>
                <th scope="col">Started</th>
                <th scope="col">Ended</th>
                <th scope="col">Log</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((o) => (
                <tr key={o.Id} data-operation={o.Type}>
                  <td data-label="Operation">{humanOperation(o.Type)}</td>
                  <td data-label="Status">
                    <StatusBadge status={o.Status} />
                  </td>
                  <td data-label="Started">{formatTime(o.StartedAt)}</td>
                  <td data-label="Ended">{o.EndedAt ? formatTime(o.EndedAt) : "—"}</td>
                  <td data-label="Log">
                    <Link to={`${logsPath}?op=${o.Id ?? ""}`}>
                      View log<span className="sr-only"> of {humanOperation(o.Type)}</span>
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <RetainedDeployments service={service} reload={reload} />
    </>
  );
}
