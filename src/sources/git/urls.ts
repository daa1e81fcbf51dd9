import { homedir } from "node:os";
import { isAbsolute, resolve as resolvePath } from "node:path";
import { AppRunnerError } from "../../errors/app-runner-error.js";

/** Where a service's source is, as git is given it. */
export interface SourceLocation {
  /** http(s) URL, file:// URL, or a path on this host. */
  kind: "http" | "file" | "path";
  /** What git is given: the URL without credentials, or an absolute path. */
  target: string;
  /** For logs and messages: never carries credentials. */
  display: string;
  /** Credentials written into the URL (`https://user:secret@host/...`); sent as a header instead. */
  basic?: { username: string; password: string };
}

const UNSUPPORTED =
  "use an HTTPS URL (with a connection for a private repository), a file:// URL or a path on the OpenRunner host";

/**
 * Pure (apart from the home directory for `~/`): what a RepositoryUrl names. Relative paths are
 * taken from `cwd`. SSH and git:// URLs are refused with a clear message: OpenRunner has no keys
 * for them.
 */
export function parseSourceUrl(url: string, cwd: string = process.cwd()): SourceLocation {
  const raw = url.trim();
  if (raw === "") throw new AppRunnerError("InvalidRequest", "The repository URL is empty.");
  if (raw.startsWith("-") || /[\0\r\n]/.test(raw)) {
    throw new AppRunnerError("InvalidRequest", `The repository URL is not valid: ${JSON.stringify(stripCredentials(raw))}`);
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    if (/^[^/\s]+@[^/\s]+:/.test(raw) || /^[a-z0-9.-]+\.[a-z]{2,}:[^/]/i.test(raw)) {
      throw new AppRunnerError("InvalidRequest", `SSH repository URLs are not supported (${stripCredentials(raw)}): ${UNSUPPORTED}.`);
    }
    const path = raw === "~" ? homedir() : raw.startsWith("~/") ? resolvePath(homedir(), raw.slice(2)) : isAbsolute(raw) ? resolvePath(raw) : resolvePath(cwd, raw);
    return { kind: "path", target: path, display: path };
  }
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new AppRunnerError("InvalidRequest", `The repository URL is not valid: ${stripCredentials(raw)}`);
  }
  if (scheme === "http" || scheme === "https") {
    if (!parsed.hostname) throw new AppRunnerError("InvalidRequest", `The repository URL has no host: ${stripCredentials(raw)}`);
    const username = decodeURIComponent(parsed.username);
    const password = decodeURIComponent(parsed.password);
    parsed.username = "";
    parsed.password = "";
    parsed.hash = "";
    const target = parsed.toString();
    const loc: SourceLocation = { kind: "http", target, display: target };
    if (username !== "" || password !== "") loc.basic = { username, password };
    return loc;
  }
  if (scheme === "file") {
    if (parsed.host !== "" && parsed.host !== "localhost") {
      throw new AppRunnerError("InvalidRequest", `A file:// URL must name a path on this host: ${raw}`);
    }
    const target = `file://${parsed.pathname}`;
    return { kind: "file", target, display: target };
  }
  throw new AppRunnerError("InvalidRequest", `${scheme}:// repository URLs are not supported (${stripCredentials(raw)}): ${UNSUPPORTED}.`);
}

/** A URL without `user:password@`, for messages about a URL that could not be parsed. */
export function stripCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1");
}

const DEFAULT_PORTS = new Set(["", "80", "443", "22", "9418"]);

/**
 * Pure: one form for every way of writing a repository's address, so a push event's URLs
 * (clone_url, html_url, ssh_url, ...) meet a service's RepositoryUrl. The scheme, credentials,
 * default ports, a trailing `.git` and slashes are dropped; the host is lowercased. Local paths
 * and file:// URLs become `file:<absolute path>`. Returns undefined for what is no repository URL.
 */
export function normalizeRepoUrl(url: string, cwd: string = process.cwd()): string | undefined {
  const raw = url.trim();
  if (raw === "") return undefined;
  const tidyPath = (p: string): string => {
    let path = p.replace(/\/+$/, "");
    if (path.endsWith("/.git")) path = path.slice(0, -5);
    if (path.endsWith(".git")) path = path.slice(0, -4);
    return path.replace(/\/+$/, "").replace(/\/{2,}/g, "/");
  };
  // scp-like SSH: [user@]host:path
  const scp = /^(?:[^/@\s]+@)?([^/:\s]+):(?!\/\/)(.+)$/.exec(raw);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) && !raw.startsWith("/") && !raw.startsWith(".")) {
    const [, host = "", path = ""] = scp;
    return `${host.toLowerCase()}/${tidyPath(path.replace(/^\/+/, ""))}`;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      return undefined;
    }
    if (parsed.protocol === "file:") return `file:${tidyPath(decodeURIComponent(parsed.pathname))}`;
    const port = DEFAULT_PORTS.has(parsed.port) ? "" : `:${parsed.port}`;
    const path = tidyPath(decodeURIComponent(parsed.pathname));
    return `${parsed.hostname.toLowerCase()}${port}${path.startsWith("/") || path === "" ? path : `/${path}`}`;
  }
  const abs = raw === "~" ? homedir() : raw.startsWith("~/") ? resolvePath(homedir(), raw.slice(2)) : resolvePath(cwd, raw);
  return `file:${tidyPath(abs)}`;
}
