/**
 * The registries a Dockerfile's images come from, as this host lets builds reach them: the
 * built-in registry under either name with a login OpenRunner issues for the build, the
 * operator's registries.json (credentials, plain HTTP, mirrors), and nothing on this machine or
 * its private networks besides those (buildah pulls on the host's network, outside the sandbox).
 */
import { isLoopbackHost, type RegistryConfig } from "../../images/registry-config.js";
import type { RegistryLogin } from "./buildah-args.js";
import { isLocalRegistryHost } from "./local-hosts.js";

/** How base images are reached: the composition root wires the built-in registry's login here. */
export interface DockerfileRegistries {
  /** Credentials for a registry host (`127.0.0.1:8601`), or undefined for anonymous pulls. */
  credentials?(host: string): RegistryLogin | undefined;
  /** Plain HTTP instead of HTTPS (default: loopback hosts); asked for the registry contacted. */
  insecure?(host: string): boolean;
  /** The registry to contact for `host` (a mirror; the built-in registry for this account's ECR host); undefined: `host` itself. */
  location?(host: string): string | undefined;
  /** Whether a Dockerfile may name `host` at all (default: any host not on this machine or a private network). */
  reachable?(host: string): boolean;
}

/** The built-in registry as FROM lines see it: both its names, and a login OpenRunner issues itself. */
export interface BuiltInBaseImages {
  readonly address: string;
  isBuiltIn(host: string): boolean;
  /** A password for the user `AWS`, as `aws ecr get-login-password` gives one. */
  password(): string;
}

/** Pure: the default of `reachable`: public registries only. */
export const publicRegistriesOnly = (host: string): boolean => !isLocalRegistryHost(host);

/**
 * The operator's registries.json for FROM lines: its basic credentials, insecure flags and
 * mirrors (static tokens are not used here); and the built-in registry under either of its
 * names (its address, or this account's ECR host) with a password issued for the build, so a
 * Dockerfile builds FROM the user's own ECR images as on AWS. Registries on this machine or a
 * private network are reachable only when they are the built-in one or the operator listed them.
 */
export function registriesFromConfig(config: RegistryConfig, builtIn?: BuiltInBaseImages): DockerfileRegistries {
  return {
    credentials: (host) => {
      if (builtIn?.isBuiltIn(host)) return { username: "AWS", password: builtIn.password() };
      const r = config.registries[host];
      return r?.username !== undefined && r.password !== undefined ? { username: r.username, password: r.password } : undefined;
    },
    insecure: (host) => config.registries[host]?.insecure ?? isLoopbackHost(host),
    location: (host) => (builtIn?.isBuiltIn(host) && host !== builtIn.address ? builtIn.address : config.mirrors[host]),
    reachable: (host) => builtIn?.isBuiltIn(host) === true || host in config.registries || host in config.mirrors || publicRegistriesOnly(host),
  };
}

/**
 * Pure: the first host a Dockerfile names that builds may not reach, with the sentence that
 * says so in the deployment log; undefined when every one is fine.
 */
export function unreachableRegistry(hosts: readonly string[], registries: DockerfileRegistries | undefined): string | undefined {
  const reachable = registries?.reachable ?? publicRegistriesOnly;
  const host = hosts.find((h) => !reachable(h));
  return host === undefined
    ? undefined
    : `The Dockerfile names an image in ${host}, an address of this machine or of a private network: builds pull only from the built-in registry (this account's ECR host or its address), registries listed in registries.json, and public registries`;
}
