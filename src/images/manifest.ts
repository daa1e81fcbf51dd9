import { AppRunnerError } from "../errors/app-runner-error.js";
import { isSha256Digest } from "./reference.js";
import type { ImageRunConfig } from "./types.js";

export const MEDIA_TYPES = {
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  ociLayer: "application/vnd.oci.image.layer.v1.tar",
  ociLayerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  dockerLayerGzip: "application/vnd.docker.image.rootfs.diff.tar.gzip",
} as const;

/** Registries answer 404 for manifests whose type the client does not list (Debian's does). */
export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerManifest,
  MEDIA_TYPES.dockerManifestList,
].join(", ");

const LAYER_TYPES = new Set<string>([
  MEDIA_TYPES.ociLayer,
  MEDIA_TYPES.ociLayerGzip,
  MEDIA_TYPES.dockerLayerGzip,
  // Non-distributable ("foreign") variants are served like any other blob by private registries.
  "application/vnd.oci.image.layer.nondistributable.v1.tar",
  "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
  "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
]);

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string; variant?: string };
}

export interface ImageManifest {
  kind: "manifest";
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface ImageIndex {
  kind: "index";
  mediaType: string;
  manifests: Descriptor[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function malformed(image: string, why: string): AppRunnerError {
  return new AppRunnerError("ImagePullFailed", `Pulling image ${image} failed: the registry sent a malformed manifest (${why}).`);
}

function descriptor(value: unknown, image: string, where: string): Descriptor {
  if (!isObject(value)) throw malformed(image, `${where} is not an object`);
  const { mediaType, digest, size, platform } = value;
  if (typeof digest !== "string" || !isSha256Digest(digest)) throw malformed(image, `${where} has no sha256 digest`);
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) throw malformed(image, `${where} has no size`);
  const out: Descriptor = { mediaType: typeof mediaType === "string" ? mediaType : "", digest, size };
  if (isObject(platform)) {
    out.platform = {};
    if (typeof platform.os === "string") out.platform.os = platform.os;
    if (typeof platform.architecture === "string") out.platform.architecture = platform.architecture;
    if (typeof platform.variant === "string") out.platform.variant = platform.variant;
  }
  return out;
}

/** Parses a manifest or index body; `contentType` is the response's, used when the body names none. */
export function parseManifest(bytes: Buffer, contentType: string, image: string): ImageManifest | ImageIndex {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw malformed(image, "not JSON");
  }
  if (!isObject(doc)) throw malformed(image, "not a JSON object");
  const mediaType = typeof doc.mediaType === "string" ? doc.mediaType : contentType.split(";")[0]?.trim() ?? "";
  if (doc.schemaVersion === 1 || mediaType.startsWith("application/vnd.docker.distribution.manifest.v1")) {
    throw new AppRunnerError(
      "ImagePullFailed",
      `Pulling image ${image} failed: it uses the obsolete Docker schema 1 manifest format; push it again with a current client.`,
    );
  }
  if (doc.schemaVersion !== 2) throw malformed(image, "schemaVersion is not 2");
  if (Array.isArray(doc.manifests) || mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerManifestList) {
    if (!Array.isArray(doc.manifests)) throw malformed(image, "index without manifests");
    return {
      kind: "index",
      mediaType: mediaType || MEDIA_TYPES.ociIndex,
      manifests: doc.manifests.map((m, i) => descriptor(m, image, `manifests[${i}]`)),
    };
  }
  if (!Array.isArray(doc.layers)) throw malformed(image, "no layers");
  const layers = doc.layers.map((l, i) => descriptor(l, image, `layers[${i}]`));
  for (const layer of layers) {
    if (!LAYER_TYPES.has(layer.mediaType)) {
      throw new AppRunnerError(
        "ImagePullFailed",
        `Pulling image ${image} failed: layer ${layer.digest} has media type "${layer.mediaType}", which OpenRunner cannot unpack (supported: uncompressed and gzip tar layers).`,
      );
    }
  }
  return {
    kind: "manifest",
    mediaType: mediaType || MEDIA_TYPES.ociManifest,
    config: descriptor(doc.config, image, "config"),
    layers,
  };
}

function platformName(d: Descriptor): string {
  const p = d.platform;
  if (!p) return "unknown";
  return [p.os ?? "unknown", p.architecture ?? "unknown", p.variant].filter((x) => x !== undefined).join("/");
}

/** The linux/amd64 entry of an index; otherwise an error listing what the image offers. */
export function chooseLinuxAmd64(index: ImageIndex, image: string): Descriptor {
  const found = index.manifests.find((m) => m.platform?.os === "linux" && m.platform.architecture === "amd64");
  if (found) return found;
  const offered = [...new Set(index.manifests.map(platformName))].join(", ") || "none";
  throw new AppRunnerError(
    "ImageNotFound",
    `Image ${image} has no linux/amd64 variant, which OpenRunner runs; it offers: ${offered}.`,
  );
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** Reads how to run the image from its OCI/Docker config blob. */
export function parseRunConfig(bytes: Buffer, image: string): ImageRunConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new AppRunnerError("ImagePullFailed", `Pulling image ${image} failed: its config blob is not JSON.`);
  }
  const config = isObject(doc) && isObject(doc.config) ? doc.config : {};
  const ports: number[] = [];
  if (isObject(config.ExposedPorts)) {
    for (const key of Object.keys(config.ExposedPorts)) {
      const [port, proto = "tcp"] = key.split("/");
      const n = Number(port);
      if (proto === "tcp" && Number.isInteger(n) && n > 0 && n < 65536 && !ports.includes(n)) ports.push(n);
    }
  }
  const labels = isObject(config.Labels) ? Object.entries(config.Labels).filter((e): e is [string, string] => typeof e[1] === "string") : [];
  return {
    entrypoint: stringArray(config.Entrypoint),
    cmd: stringArray(config.Cmd),
    env: stringArray(config.Env),
    workingDir: typeof config.WorkingDir === "string" && config.WorkingDir !== "" ? config.WorkingDir : "/",
    user: typeof config.User === "string" ? config.User : "",
    exposedPorts: ports,
    ...(labels.length > 0 ? { labels: Object.fromEntries(labels) } : {}),
  };
}
