/**
 * The image component's boundary: the engine and runtime drivers see images only through
 * these types. Everything registry- or layout-specific stays inside src/images/.
 */

/** A parsed image reference such as `127.0.0.1:5000/team/app:tag` or `repo@sha256:...`. */
export interface ImageReference {
  /** Registry host with port, as written (`127.0.0.1:5000`, `registry.example.com`, `docker.io`). */
  registry: string;
  /** Repository path inside the registry (`team/app`; `library/nginx` for Docker Hub short names). */
  repository: string;
  tag?: string;
  digest?: string;
  /** The identifier as the user wrote it (for log lines). */
  original: string;
}

/** What the OCI image config says about how to run the image. */
export interface ImageRunConfig {
  entrypoint: string[];
  cmd: string[];
  /** `NAME=value` pairs, as in the OCI config. */
  env: string[];
  workingDir: string;
  /** `user`, `uid`, `uid:gid` or empty (root). */
  user: string;
  /** Ports from ExposedPorts (`8080/tcp` -> 8080), in order. */
  exposedPorts: number[];
  /** The config's Labels (string values only); absent in records unpacked before labels were read. */
  labels?: Record<string, string>;
}

/** An image pulled and unpacked once per digest, shared read-only by every instance. */
export interface UnpackedImage {
  /** Digest of the linux/amd64 image manifest (not of an index). */
  manifestDigest: string;
  /** Absolute path of the unpacked root filesystem (read-only lower layer for overlays). */
  rootfs: string;
  config: ImageRunConfig;
  /** Bytes on disk of the unpacked root filesystem (approximate). */
  sizeBytes: number;
}

export interface PullOptions {
  /** Pull exactly this digest (the tag is not re-resolved); used by ResumeService. */
  digest?: string;
  /** Progress for the deployment log, e.g. "Pulling image 127.0.0.1:5000/app:latest". */
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface PullResult {
  /** The digest the identifier resolved to: an index or a manifest digest; what "deployed" records. */
  resolvedDigest: string;
  image: UnpackedImage;
}

/** Pulls, unpacks and keeps images under `<data-dir>/images`. */
export interface ImageStore {
  /** Resolves a tag to its current digest without pulling (HEAD on the manifest). */
  resolve(identifier: string, signal?: AbortSignal): Promise<string>;
  /** Resolves (unless opts.digest), pulls missing blobs with digest checks, unpacks once. */
  pull(identifier: string, opts?: PullOptions): Promise<PullResult>;
  /** An image already on this host (pulled or built), by manifest or index digest; no network. */
  get(digest: string): Promise<UnpackedImage | undefined>;
  /**
   * Holds every image against prune while `fn` runs: a deployment pulls (or finds) its image
   * and records it inside, so no prune can remove the image between the two.
   */
  using<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Removes unpacked images and blobs whose manifest digest is not in `keep()`, asked once no
   * pull and no `using` runs: what deployments recorded by then is all there is to keep.
   */
  prune(keep: () => ReadonlySet<string>): Promise<string[]>;
}
