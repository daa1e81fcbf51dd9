import type { Service } from "@aws-sdk/client-apprunner";

/**
 * The repository in the built-in registry where a source-code service's builds keep their
 * images (one per service, one image per deployment tagged with its id): the service name as
 * an ECR path component (lower case, runs of `-` and `_` made one `-`), then the service id.
 * The console's one copy of the server's naming (`serviceBuildRepository` in
 * src/ecr/build-repositories.ts; test/console-image-repositories.test.ts holds them equal).
 */
export function serviceBuildRepository(s: Partial<Pick<Service, "ServiceName" | "ServiceId">>): string | undefined {
  if (!s.ServiceName || !s.ServiceId) return undefined;
  const name = s.ServiceName.toLowerCase()
    .replace(/[-_]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `apprunner/${name}/${s.ServiceId.toLowerCase()}`;
}

/** An image reference split as registries read it: `host[:port]/name[:tag][@digest]`. */
export interface ImageReference {
  /** The registry's host (and port); undefined for a Docker Hub short name such as `nginx:1`. */
  host: string | undefined;
  repositoryName: string;
  tag: string | undefined;
  digest: string | undefined;
}

/** Splits an ImageIdentifier; the first path part is a registry host when it has a dot or a port, or is `localhost`. */
export function parseImageReference(identifier: string): ImageReference {
  const at = identifier.indexOf("@");
  const digest = at >= 0 ? identifier.slice(at + 1) : undefined;
  const named = at >= 0 ? identifier.slice(0, at) : identifier;
  const slash = named.indexOf("/");
  const first = slash >= 0 ? named.slice(0, slash) : "";
  const hasHost = slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost");
  const path = hasHost ? named.slice(slash + 1) : named;
  const colon = path.lastIndexOf(":");
  const tagged = colon > path.lastIndexOf("/");
  return {
    host: hasHost ? first : undefined,
    repositoryName: tagged ? path.slice(0, colon) : path,
    tag: tagged ? path.slice(colon + 1) : undefined,
    digest,
  };
}

/** The host part of a repository URI (`127.0.0.1:8601/hello` → `127.0.0.1:8601`). */
export const registryHostOf = (repositoryUri: string): string => repositoryUri.split("/")[0] ?? "";

/** Region and account of an App Runner ARN (`arn:aws:apprunner:<region>:<account>:service/…`). */
export function arnScope(arn: string | undefined): { region: string; accountId: string } | undefined {
  const parts = (arn ?? "").split(":");
  if (parts.length < 6 || parts[0] !== "arn") return undefined;
  return { region: parts[3] ?? "", accountId: parts[4] ?? "" };
}

/** App Runner's ECR image host of this account and region: it means the built-in registry. */
export function isOwnEcrHost(host: string | undefined, scope: { region: string; accountId: string } | undefined): boolean {
  if (!host || !scope) return false;
  return host === `${scope.accountId}.dkr.ecr.${scope.region}.amazonaws.com`;
}

/** Where a service's image comes from, as far as the built-in registry is concerned. */
export type ServiceImageSource =
  | { kind: "image"; reference: ImageReference; identifier: string }
  | { kind: "build"; repositoryName: string }
  | { kind: "none" };

export function serviceImageSource(s: Service): ServiceImageSource {
  const image = s.SourceConfiguration?.ImageRepository?.ImageIdentifier;
  if (image) return { kind: "image", reference: parseImageReference(image), identifier: image };
  const built = s.SourceConfiguration?.CodeRepository ? serviceBuildRepository(s) : undefined;
  if (built) return { kind: "build", repositoryName: built };
  return { kind: "none" };
}

/** "sha256:0123456789abcdef…" → "sha256:0123456789ab" (ECR's console shortens digests too). */
export function shortDigest(digest: string): string {
  const [algorithm, hex] = digest.includes(":") ? digest.split(":", 2) : ["", digest];
  const short = (hex ?? "").slice(0, 12);
  return algorithm ? `${algorithm}:${short}` : short;
}

const UNITS = ["KB", "MB", "GB", "TB"] as const;

/** Binary units, as ECR's console sizes images: 1536 → "1.5 KB", 40 MiB → "40.0 MB". */
export function formatSize(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return "—";
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${UNITS[unit] ?? "TB"}`;
}
