import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from "react";

/**
 * A small pushState router: the console has a handful of pages, and the server answers every
 * /console/* path with index.html, so deep links and reloads land on the right page.
 */
const BASE = import.meta.env.BASE_URL.replace(/\/$/, "");

const listeners = new Set<() => void>();
window.addEventListener("popstate", () => listeners.forEach((l) => l()));

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

const snapshot = (): string => window.location.pathname + window.location.search;

/** The path inside the console ("/services", "/create"…) and its query. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const full = useSyncExternalStore(subscribe, snapshot);
  const [pathname = "/", search = ""] = full.split("?");
  const inside = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  return { path: inside === "" ? "/" : inside, query: new URLSearchParams(search) };
}

export function navigate(to: string, replace = false): void {
  const url = `${BASE}${to}`;
  if (replace) window.history.replaceState(null, "", url);
  else window.history.pushState(null, "", url);
  listeners.forEach((l) => l());
  window.scrollTo(0, 0);
}

export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string; children: ReactNode }): ReactNode {
  const { to, onClick, ...rest } = props;
  const go = (e: MouseEvent<HTMLAnchorElement>): void => {
    onClick?.(e);
    // Let the browser handle new tabs and other modified clicks itself.
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={`${BASE}${to}`} onClick={go} {...rest} />;
}
