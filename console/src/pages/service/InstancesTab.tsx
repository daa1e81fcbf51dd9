import type { ReactNode } from "react";
import { useClients } from "../../api/clients";
import { listServiceInstances } from "../../api/openrunner";
import { ErrorBanner } from "../../components/Field";
import { StatusBadge } from "../../components/StatusBadge";
import { usePolled } from "../../hooks";
import type { TabProps } from "./ServiceDashboard";

/** The service's running instances (OpenRunner.ListServiceInstances): which node each runs on, its health, whether it serves. */
export function InstancesTab({ service }: TabProps): ReactNode {
  const { apprunner } = useClients();
  const arn = service.ServiceArn ?? "";
  const list = usePolled(() => listServiceInstances(apprunner, arn), `instances-${arn}`, 3000);
  const instances = list.data ?? [];
  return (
    <section aria-labelledby="instances-title" className="card">
      <h2 id="instances-title">Instances ({instances.length})</h2>
      <ErrorBanner message={list.error} listing="instances" />
      {list.data?.length === 0 && <p className="hint">No instances are running.</p>}
      {instances.length > 0 && (
        <div className="table-wrap">
          <table className="instances">
            <thead>
              <tr>
                <th scope="col">Instance</th>
                <th scope="col">Node</th>
                <th scope="col">Address</th>
                <th scope="col">Status</th>
                <th scope="col">Serving</th>
              </tr>
            </thead>
            <tbody>
              {instances.map((i) => (
                <tr key={i.InstanceId} data-instance={i.InstanceId}>
                  <td data-label="Instance" className="wrap">
                    <code>{i.InstanceId}</code>
                  </td>
                  <td data-label="Node">{i.Node}</td>
                  <td data-label="Address">
                    {i.Address}:{i.Port}
                  </td>
                  <td data-label="Status">
                    <StatusBadge status={i.Status} />
                  </td>
                  <td data-label="Serving">{i.Serving ? "Yes" : "No"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
