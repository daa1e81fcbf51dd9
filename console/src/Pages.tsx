import { useEffect, type ReactNode } from "react";
import { AutoScalingPage } from "./pages/resources/AutoScalingPage";
import { ConnectionsPage } from "./pages/resources/ConnectionsPage";
import { RepositoriesPage } from "./pages/repositories/RepositoriesPage";
import { RepositoryPage } from "./pages/repositories/RepositoryPage";
import { SecretsPage } from "./pages/secrets/SecretsPage";
import { CreateWizard } from "./pages/create/CreateWizard";
import { ServiceDashboard } from "./pages/service/ServiceDashboard";
import { ServicesPage } from "./pages/ServicesPage";
import { Link, useLocation } from "./router";

/** Which page a console path shows. */
export function Pages(): ReactNode {
  const { path } = useLocation();
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const page = pageFor(parts);
  useEffect(() => {
    document.title = `${page.title} · OpenRunner console`;
  }, [page.title]);
  return page.node;
}

function pageFor(parts: string[]): { title: string; node: ReactNode } {
  const [first, name, id, tab] = parts;
  if (first === undefined || (first === "services" && name === undefined)) return { title: "Services", node: <ServicesPage /> };
  if (first === "create") return { title: "Create service", node: <CreateWizard /> };
  if (first === "services" && name && id) {
    return { title: name, node: <ServiceDashboard key={id} name={name} id={id} tab={tab ?? "logs"} /> };
  }
  if (first === "auto-scaling") return { title: "Auto scaling configurations", node: <AutoScalingPage /> };
  if (first === "repositories" && name === undefined) return { title: "Repositories", node: <RepositoriesPage /> };
  if (first === "repositories" && name) return { title: name, node: <RepositoryPage key={name} name={name} /> };
  if (first === "secrets") return { title: "Secrets", node: <SecretsPage /> };
  if (first === "connections") return { title: "Connections", node: <ConnectionsPage /> };
  return {
    title: "Not found",
    node: (
      <section>
        <h1>Page not found</h1>
        <p>
          <Link to="/services">Back to services</Link>
        </p>
      </section>
    ),
  };
}
