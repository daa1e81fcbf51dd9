/**
 * The buildah command lines and configuration files of a Dockerfile build (pure, so they are
 * table-tested): global storage flags, `bud` with the sandbox's network namespace and limits,
 * `push` into an OCI layout, the registries.conf the base images resolve through, the auth file
 * with the credentials of the registries the Dockerfile names.
 */
import { CA_BUNDLE_PATH } from "../sandbox/spec.js";

export interface BuildahPaths {
  /** containers/storage graph root: the service's layer cache, kept between builds. */
  storageRoot: string;
  /** containers/storage run root: this build's mount state (fresh each build). */
  runRoot: string;
  /** registries.conf written for this build. */
  registriesConf: string;
  /** registries.d directory (its default.yaml points signature look-aside storage at the build's own directory). */
  registriesDir: string;
}

/** Flags every buildah command of a build takes, before the subcommand. */
export function globalArgs(p: BuildahPaths): string[] {
  return [
    "--root", p.storageRoot,
    "--runroot", p.runRoot,
    "--storage-driver", "overlay",
    "--registries-conf", p.registriesConf,
    "--registries-conf-dir", p.registriesDir,
  ];
}

export interface BudInput {
  /** The build context: the source directory. */
  contextDir: string;
  /** Absolute path of the Dockerfile. */
  dockerfile: string;
  target?: string;
  buildArgs: Record<string, string>;
  /** File buildah writes the built image's id to. */
  iidFile: string;
  /** Network namespace RUN steps join (`/proc/<pid>/ns/net` of the sandbox's holder). */
  netns: string;
  /** Name servers RUN steps get in /etc/resolv.conf. */
  dns: readonly string[];
  /** RLIMIT_NOFILE of RUN steps (soft = hard, at most the host's hard limit: raising needs CAP_SYS_RESOURCE). */
  nofile: number;
  /** RLIMIT_NPROC of RUN steps (buildah's default, 32768, capped the same way). */
  nproc: number;
  /** Auth file with the credentials of the registries FROM names, when there are any. */
  authFile?: string;
  /** The host's CA bundle, mounted read-only over the image's in RUN steps (a TLS-inspecting proxy's CA lives there). */
  caBundle?: string;
}

/** buildah's own default RLIMIT_NPROC for RUN steps. */
export const BUILDAH_NPROC = 32768;

export function budArgs(b: BudInput): string[] {
  return [
    "bud",
    "--isolation", "oci",
    "--layers",
    "--network", b.netns,
    ...b.dns.flatMap((d) => ["--dns", d]),
    "--ulimit", `nofile=${b.nofile}:${b.nofile}`,
    "--ulimit", `nproc=${b.nproc}:${b.nproc}`,
    "--iidfile", b.iidFile,
    "-f", b.dockerfile,
    ...(b.target ? ["--target", b.target] : []),
    ...Object.entries(b.buildArgs).flatMap(([k, v]) => ["--build-arg", `${k}=${v}`]),
    ...(b.authFile ? ["--authfile", b.authFile] : []),
    ...(b.caBundle ? ["--volume", `${b.caBundle}:${CA_BUNDLE_PATH}:ro`] : []),
    b.contextDir,
  ];
}

/**
 * Writes the image with an OCI manifest: into an OCI layout that already holds the last build's
 * layers (buildah skips those, and gzips the rest), or, with nothing to reuse, with uncompressed
 * layers in containers/image's `dir:` format (its `oci:` destination would gzip every layer
 * whatever --disable-compression says: see dir-layout.ts).
 */
export function pushArgs(imageId: string, to: { dir: string } | { layout: string; tag: string }): string[] {
  return ["push", "--disable-compression", "--format", "oci", imageId, "dir" in to ? `dir:${to.dir}` : `oci:${to.layout}:${to.tag}`];
}

export interface RegistryAccess {
  host: string;
  insecure: boolean;
  /** The registry actually contacted for `host` (a mirror, or the built-in registry for an ECR host name). */
  location?: string;
}

/**
 * registries.conf: short names resolve on Docker Hub as with `docker build`; plain-HTTP
 * registries (loopback ones by default) are listed as insecure, redirected ones with their
 * location.
 */
export function registriesConf(registries: readonly RegistryAccess[]): string {
  const lines = ['unqualified-search-registries = ["docker.io"]', 'short-name-mode = "permissive"', ""];
  for (const r of registries) {
    const moved = r.location !== undefined && r.location !== r.host;
    if (!r.insecure && !moved) continue;
    lines.push("[[registry]]", ...(moved ? [`prefix = ${JSON.stringify(r.host)}`] : []), `location = ${JSON.stringify(r.location ?? r.host)}`);
    lines.push(...(r.insecure ? ["insecure = true"] : []), "");
  }
  return lines.join("\n");
}

/** registries.d/default.yaml: signature look-aside storage inside the build's own directory. */
export function registriesDefaultYaml(sigstoreDir: string): string {
  return `default-docker:\n  lookaside: file://${sigstoreDir}\n`;
}

export interface RegistryLogin {
  username: string;
  password: string;
}

/** containers-auth.json. */
export function authJson(logins: ReadonlyMap<string, RegistryLogin>): string {
  const auths: Record<string, { auth: string }> = {};
  for (const [host, l] of logins) auths[host] = { auth: Buffer.from(`${l.username}:${l.password}`).toString("base64") };
  return JSON.stringify({ auths });
}

/**
 * The registries the Dockerfile's FROM lines pull from (`docker.io` for short names), after
 * substituting ARGs declared before the first FROM (build arguments override their defaults).
 * Stage names and `scratch` pull nothing; `COPY --from=<image>` pulls its image.
 */
export function registriesOfDockerfile(text: string, buildArgs: Record<string, string>): string[] {
  const args = new Map<string, string>();
  const stages = new Set<string>();
  const hosts = new Set<string>();
  let seenFrom = false;
  for (const line of instructions(text)) {
    const m = /^(\w+)\s+(.*)$/.exec(line);
    if (!m?.[1]) continue;
    const op = m[1].toUpperCase();
    const rest = m[2] ?? "";
    if (op === "ARG" && !seenFrom) {
      const a = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(rest.trim());
      if (a?.[1]) args.set(a[1], buildArgs[a[1]] ?? unquote(a[2] ?? ""));
    }
    if (op === "COPY") {
      // `COPY --from=<image>` pulls that image too (a stage's name or index pulls nothing).
      const from = /(?:^|\s)--from=(\S+)/.exec(rest)?.[1];
      const image = (from ?? "").replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => args.get(name) ?? "");
      if (image !== "" && !/^\d+$/.test(image) && !(stages.has(image.toLowerCase()) && !image.includes("/"))) hosts.add(registryOf(image));
    }
    if (op !== "FROM") continue;
    seenFrom = true;
    const words = rest.trim().split(/\s+/).filter((w) => !w.startsWith("--"));
    const image = (words[0] ?? "").replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => args.get(name) ?? "");
    if (words[1]?.toUpperCase() === "AS" && words[2]) stages.add(words[2].toLowerCase());
    if (image === "" || image === "scratch" || (stages.has(image.toLowerCase()) && !image.includes("/"))) continue;
    hosts.add(registryOf(image));
  }
  return [...hosts];
}

/**
 * The image the built image starts from: the FROM of the last stage (or of the `target` stage),
 * through stage names, after substituting ARGs declared before the first FROM. Undefined for
 * `scratch`, an unknown target, or a name left empty by an unset ARG.
 */
export function baseImageOfDockerfile(text: string, buildArgs: Record<string, string>, target?: string): string | undefined {
  const args = new Map<string, string>();
  const stages: { name?: string; image: string }[] = [];
  for (const line of instructions(text)) {
    const m = /^(\w+)\s+(.*)$/.exec(line);
    const op = m?.[1]?.toUpperCase();
    const rest = (m?.[2] ?? "").trim();
    if (op === "ARG" && stages.length === 0) {
      const a = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(rest);
      if (a?.[1]) args.set(a[1], buildArgs[a[1]] ?? unquote(a[2] ?? ""));
    }
    if (op !== "FROM") continue;
    const words = rest.split(/\s+/).filter((w) => !w.startsWith("--"));
    const image = (words[0] ?? "").replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => args.get(name) ?? "");
    stages.push({ image, ...(words[1]?.toUpperCase() === "AS" && words[2] ? { name: words[2].toLowerCase() } : {}) });
  }
  let at = target === undefined ? stages.length - 1 : stages.findIndex((s) => s.name === target.toLowerCase());
  for (let hops = 0; at >= 0 && hops <= stages.length; hops++) {
    const image = stages[at]?.image ?? "";
    if (image === "" || image === "scratch") return undefined;
    // A stage name (only earlier stages count) leads on to that stage's FROM.
    const earlier = image.includes("/") ? -1 : stages.slice(0, at).findIndex((s) => s.name === image.toLowerCase());
    if (earlier < 0) return image;
    at = earlier;
  }
  return undefined;
}

/**
 * `ADD <url>` instructions. buildah downloads them itself, from the host's network namespace
 * (where it must be to pull base images from loopback registries), so such a download would
 * reach what RUN steps cannot: the host's loopback services. They are refused; `RUN curl`
 * downloads in the sandbox instead.
 */
export function remoteAdds(text: string): string[] {
  return instructions(text).filter((line) => /^ADD\s/i.test(line) && /\s[a-z][a-z0-9+.-]*:\/\//i.test(` ${line.slice(4)}`));
}

/** Docker's rule: the first path component is a registry when it has a dot or a port, or is localhost. */
export function registryOf(image: string): string {
  const slash = image.indexOf("/");
  if (slash < 0) return "docker.io";
  const first = image.slice(0, slash);
  return /[.:]/.test(first) || first === "localhost" ? first : "docker.io";
}

/** Logical lines: comments dropped, backslash continuations joined. */
function instructions(text: string): string[] {
  const out: string[] = [];
  let current = "";
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (current === "" && (line === "" || line.startsWith("#"))) continue;
    if (line.endsWith("\\")) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    out.push(current + line);
    current = "";
  }
  if (current !== "") out.push(current);
  return out;
}

function unquote(s: string): string {
  const t = s.trim();
  return /^(["']).*\1$/.test(t) ? t.slice(1, -1) : t;
}
