import { useState, type ReactNode } from "react";
import { useClients } from "./api/clients";
import { getCallerIdentity } from "./api/identity";
import { identityLabel, identityText } from "./api/identity-label";
import { usePolled } from "./hooks";
import { Link, useLocation } from "./router";

const NAV = [
  { to: "/services", label: "Services" },
  { to: "/auto-scaling", label: "Auto scaling configurations" },
  { to: "/connections", label: "Connections" },
  { to: "/repositories", label: "Repositories" },
  { to: "/secrets", label: "Secrets" },
];

/** Header, navigation pane (a menu button at phone width) and the content pane. */
export function Layout({ children, onSignOut }: { children: ReactNode; onSignOut: () => void }): ReactNode {
  const { config, accessKeyId, apprunner } = useClients();
  // Asked once per sign-in (the key's owner does not change under it); until it answers, the key id.
  const identity = usePolled(() => getCallerIdentity(apprunner), accessKeyId);
  const label = identity.data ? identityLabel(identity.data.arn) : undefined;
  const { path } = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const current = (to: string): boolean => path === to || path.startsWith(`${to}/`) || (to === "/services" && (path === "/" || path === "/create"));
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="btn btn-quiet menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="nav"
          onClick={() => setMenuOpen((o) => !o)}
        >
          Menu
        </button>
        <Link to="/services" className="brand">
          OpenRunner
        </Link>
        <span className="region" title="Region">
          {config.region}
        </span>
        <span
          className="who"
          data-arn={identity.data?.arn}
          title={identity.data ? `${identity.data.arn}\nAccount ${identity.data.account}\nAccess key ${accessKeyId}` : `Signed in with access key ${accessKeyId}`}
        >
          <span className="sr-only">Signed in as </span>
          {label ? identityText(label) : accessKeyId}
        </span>
        <button type="button" className="btn btn-quiet" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <div className="body">
        <nav id="nav" className={`nav${menuOpen ? " nav-open" : ""}`} aria-label="Console">
          <ul>
            {NAV.map((n) => (
              <li key={n.to}>
                <Link to={n.to} aria-current={current(n.to) ? "page" : undefined} onClick={() => setMenuOpen(false)}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" className="content" tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}
