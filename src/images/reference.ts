import { AppRunnerError } from "../errors/app-runner-error.js";
import type { ImageReference } from "./types.js";

/** Docker Hub's canonical name; its API lives on a different host (see `DOCKER_HUB_API_HOST`). */
export const DOCKER_HUB = "docker.io";
export const DOCKER_HUB_API_HOST = "registry-1.docker.io";

// The grammar of github.com/distribution/reference, restricted to what a registry can serve:
// lowercase path components, tags of at most 128 characters, sha256 digests only (the only
// algorithm we verify blobs with).
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HOST_NAME = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const IPV6_HOST = /^\[[0-9A-Fa-f:.]+\]$/;
const MAX_NAME_LENGTH = 255;

function invalid(identifier: string, why: string): AppRunnerError {
  return new AppRunnerError("InvalidRequest", `Invalid image identifier "${identifier}": ${why}.`);
}

/** True when the first path component names a registry rather than a Docker Hub namespace. */
function looksLikeRegistry(component: string): boolean {
  return component.includes(".") || component.includes(":") || component.startsWith("[") || component === "localhost";
}

function checkRegistry(identifier: string, registry: string): void {
  let host = registry;
  const portMatch = /^(.*):(\d+)$/.exec(registry);
  if (portMatch) {
    host = portMatch[1] ?? "";
    const port = Number(portMatch[2]);
    if (port < 1 || port > 65535) throw invalid(identifier, `registry port ${portMatch[2]} is out of range`);
  }
  if (!HOST_NAME.test(host) && !IPV6_HOST.test(host)) {
    throw invalid(identifier, `"${registry}" is not a valid registry host`);
  }
}

/**
 * Parses `[registry/]repository[:tag][@sha256:hex]`. Docker Hub short names are normalized
 * (`nginx` -> `docker.io/library/nginx:latest`); with neither tag nor digest the tag is `latest`.
 */
export function parseImageReference(identifier: string): ImageReference {
  if (typeof identifier !== "string" || identifier.length === 0) {
    throw new AppRunnerError("InvalidRequest", "Invalid image identifier: it is empty.");
  }
  if (identifier !== identifier.trim() || /\s/.test(identifier)) {
    throw invalid(identifier, "it contains whitespace");
  }

  let rest = identifier;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) {
      throw invalid(identifier, `"${digest}" is not a digest of the form sha256:<64 lowercase hex digits>`);
    }
  }

  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf("/");
  const lastColon = rest.lastIndexOf(":");
  // A colon after the last slash separates the tag; one before it belongs to a registry port.
  if (lastColon > lastSlash) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG.test(tag)) {
      throw invalid(identifier, `"${tag}" is not a valid tag (letters, digits, "_", "." and "-", at most 128)`);
    }
  }
  if (rest.length === 0) throw invalid(identifier, "the repository name is missing");

  const components = rest.split("/");
  let registry = DOCKER_HUB;
  const first = components[0] ?? "";
  if (components.length > 1 && looksLikeRegistry(first)) {
    registry = first;
    components.shift();
    checkRegistry(identifier, registry);
  }
  if (registry === "index.docker.io" || registry === DOCKER_HUB_API_HOST) registry = DOCKER_HUB;
  for (const component of components) {
    if (!PATH_COMPONENT.test(component)) {
      throw invalid(
        identifier,
        component === ""
          ? "the repository name has an empty path component"
          : `"${component}" is not a valid repository path component (lowercase letters, digits and separators)`,
      );
    }
  }
  if (registry === DOCKER_HUB && components.length === 1) components.unshift("library");
  const repository = components.join("/");
  if (repository.length > MAX_NAME_LENGTH) throw invalid(identifier, "the repository name is too long");

  if (tag === undefined && digest === undefined) tag = "latest";
  const ref: ImageReference = { registry, repository, original: identifier };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** `registry/repository` plus `:tag` and/or `@digest`, as a stable display form. */
export function formatImageReference(ref: Pick<ImageReference, "registry" | "repository" | "tag" | "digest">): string {
  let out = `${ref.registry}/${ref.repository}`;
  if (ref.tag !== undefined) out += `:${ref.tag}`;
  if (ref.digest !== undefined) out += `@${ref.digest}`;
  return out;
}

/**
 * Pure: a name made a valid repository path component (lower case, one `-` for each run of
 * `-` and `_`, none at either end), e.g. an App Runner service name (`My_Service` -> `my-service`)
 * in the reference of an image built for it.
 */
export function repositoryComponent(name: string): string {
  return name
    .toLowerCase()
    .replace(/[-_]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

export function isSha256Digest(value: string): boolean {
  return DIGEST.test(value);
}
