import { useState, type ReactNode } from "react";
import { useClients } from "../api/clients";
import { listAllServices } from "../api/services";
import { serviceLink } from "../api/session";
import { ErrorBanner } from "../components/Field";
import { FilterBox } from "../components/FilterBox";
import { StatusBadge } from "../components/StatusBadge";
import { formatTime, usePolled } from "../hooks";
import { Link, navigate } from "../router";

/** The services list, refreshed every 3 s so status changes appear without a reload. */
export function ServicesPage(): ReactNode {
  const clients = useClients();
  const [filter, setFilter] = useState("");
  const services = usePolled(() => listAllServices(clients.apprunner), "services", 3000);
  const needle = filter.trim().toLowerCase();
  const shown = (services.data ?? [])
    .filter((s) => needle === "" || [s.ServiceName, s.Status, s.ServiceUrl].some((v) => v?.toLowerCase().includes(needle)))
    .sort((a, b) => (a.ServiceName ?? "").localeCompare(b.ServiceName ?? ""));
  return (
    <section aria-labelledby="services-title">
      <div className="page-head">
        <h1 id="services-title">
          Services <span className="count">({services.data?.length ?? 0})</span>
        </h1>
        <button type="button" className="btn btn-primary" onClick={() => navigate("/create")}>
          Create service
        </button>
      </div>
      <ErrorBanner message={services.error} listing="services" />
      <FilterBox label="Filter services" value={filter} onChange={setFilter} />
      {services.data && services.data.length === 0 ? (
        <div className="empty">
          <p>No services yet.</p>
          <button type="button" className="btn btn-primary" onClick={() => navigate("/create")}>
            Create an App Runner service
          </button>
        </div>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Service name</th>
                <th scope="col">Status</th>
                <th scope="col">Default domain</th>
                <th scope="col">Last updated</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((s) => (
                <tr key={s.ServiceArn} data-service={s.ServiceName}>
                  <td data-label="Service name">
                    <Link to={`/services/${encodeURIComponent(s.ServiceName ?? "")}/${s.ServiceId ?? ""}`}>{s.ServiceName}</Link>
                  </td>
                  <td data-label="Status">
                    <StatusBadge status={s.Status} />
                  </td>
                  <td data-label="Default domain" className="wrap">
                    {s.ServiceUrl ? (
                      <a href={serviceLink(clients.config, s.ServiceUrl)} target="_blank" rel="noreferrer">
                        {s.ServiceUrl}
                      </a>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td data-label="Last updated">{formatTime(s.UpdatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {services.data && shown.length === 0 && <p className="hint">No service matches “{filter}”.</p>}
        </div>
      )}
    </section>
  );
}
