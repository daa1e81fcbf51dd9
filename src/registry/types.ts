/**
 * The built-in image registry (CNCF distribution, supervised by `openrunner up`) as the rest of
 * the control plane sees it. The ECR API (`src/ecr/`) keeps repositories and their settings;
 * the registry keeps the images themselves and is the only truth about which tags and manifests
 * exist. Each side reaches the other through these interfaces only.
 */

/** ECR's tag mutability setting of a repository. */
export type TagMutability = "MUTABLE" | "IMMUTABLE";

/** What the registry asks the ECR side about a repository before it lets a client use it. */
export interface RepositoryDirectory {
  /** The repository's settings, or undefined when no such repository was created (a push is refused). */
  find(repositoryName: string): { tagMutability: TagMutability } | undefined;
}

/** One manifest stored in a repository, tagged or not (ECR's "image"). */
export interface StoredImage {
  /** `sha256:…` of the manifest (or index) as pushed. */
  digest: string;
  /** The tags that point at it now; empty for an untagged image. */
  tags: string[];
  /** When the manifest was pushed (ECR's imagePushedAt). */
  pushedAt: Date;
  /** The sum of the config and layer blob sizes the manifest names (ECR's imageSizeInBytes). */
  sizeBytes: number;
  /** The manifest's media type (ECR's imageManifestMediaType). */
  manifestMediaType: string;
  /** The config blob's media type (ECR's artifactMediaType), when the manifest names one. */
  artifactMediaType?: string;
}

/** The built-in registry's contents, for the ECR API, lifecycle policies and the console. */
export interface BuiltInRegistry {
  /** `host:port` that skopeo, buildah, podman and docker push to from this machine. */
  readonly address: string;
  /**
   * True when an image reference's registry host means this registry: its address, or
   * `<this account>.dkr.ecr.<this region>.amazonaws.com` (App Runner's ECR image identifiers).
   */
  isBuiltIn(registryHost: string): boolean;
  /** Every manifest in the repository, tagged or not; empty for a repository nothing was pushed to. */
  listImages(repositoryName: string): Promise<StoredImage[]>;
  /** The manifest a tag or digest names, as stored; undefined when there is none. */
  getManifest(repositoryName: string, reference: string): Promise<{ digest: string; mediaType: string; body: Buffer } | undefined>;
  /** Removes a tag only; the manifest stays (untagged, or still under its other tags). */
  untag(repositoryName: string, tag: string): Promise<void>;
  /** Removes a manifest with every tag that points at it. */
  deleteImage(repositoryName: string, digest: string): Promise<void>;
  /** Removes the repository's tags and manifests (DeleteRepository with force, or of an empty one). */
  deleteRepository(repositoryName: string): Promise<void>;
}

/** Who a registry password was issued to (GetAuthorizationToken's caller). */
export interface RegistryPrincipal {
  accountId: string;
  accessKeyId: string;
}

/** The password subject of OpenRunner's own pulls (Dockerfile builds' base images): not a key, never asked of IAM. */
export const OWN_PULL_SUBJECT = "openrunner-builds";

/**
 * Whether the holder of a password issued to `accessKeyId` may `pull` or `push` `repository`,
 * as IAM decides for ECR's actions on the repository (asked when the token is issued, so a key
 * made inactive or a policy taken away counts from the next `docker pull` or `push`).
 */
export type RegistryScopeAuthorizer = (scope: { accessKeyId: string; repository: string; action: "pull" | "push"; sourceIp: string }) => boolean;

/** GetAuthorizationToken's passwords: what `docker login -u AWS -p <password>` presents to the registry. */
export interface RegistryPasswords {
  /** A password valid for 12 hours from `now`, for the user name `AWS`. */
  issue(principal: RegistryPrincipal, now: Date): { password: string; expiresAt: Date };
}
