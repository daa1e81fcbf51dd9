/**
 * The data plane's boundary: runtime drivers tell the router which instances serve a service;
 * the router (HAProxy behind it) does the rest. Nothing outside src/router/ knows HAProxy.
 */

/** One instance as the router reaches it. */
export interface RoutedInstance {
  /** Instance id (32 hex); also the HAProxy server name. */
  id: string;
  address: string;
  port: number;
}

/** What one service should look like in the data plane. */
export interface ServiceRoute {
  serviceId: string;
  serviceName: string;
  /** Host names that reach the service: its ServiceUrl host, later custom domains. Lowercase, no port. */
  hosts: string[];
  /** serving: balanced over `instances`; paused: a clear 503 page; (a deleted service is removed). */
  state: "serving" | "paused";
  /** Requests one instance takes at once (AutoScalingConfiguration.MaxConcurrency); more wait in a queue. */
  maxConcurrency: number;
  /** The instances that take new requests. Instances no longer listed are drained, then removed. */
  instances: RoutedInstance[];
  /** Request timeout for this service; the router's default (120 s) when absent. */
  requestTimeoutMs?: number;
  /** ObservabilityConfiguration with tracing on: add and propagate X-Amzn-Trace-Id. */
  tracing?: boolean;
  /** A gradual rollout under way: the new version takes `percent` of new clients (sticky by cookie); `instances` stay the serving version's. */
  canary?: TrafficSplit;
}

/** The new version's share of a service during a gradual rollout (src/router/traffic-split.ts renders it). */
export interface TrafficSplit {
  /** The new version's deployment: the version cookie's value for its clients. */
  deploymentId: string;
  /** The serving version's deployment: the cookie's value for the others. */
  servingDeploymentId: string;
  /** 1..99: percent of clients without a cookie that go to the new version. */
  percent: number;
  instances: RoutedInstance[];
}

/** What the data plane measured of one version of a service over a window (the rollout's abort decision). */
export interface VersionMeasurement {
  requests: number;
  errors5xx: number;
  p99Ms?: number;
}

/** Load of one service's backend right now (HAProxy `show stat`). */
export interface BackendLoad {
  serviceId: string;
  /** Requests being served (scur summed over servers). */
  inFlight: number;
  /** Requests waiting for an instance (qcur), and those held while the service has no instance up. */
  queued: number;
  /** The backend's cumulative request counter (req_tot), when the source has one: a request shows even between two samples. */
  requests?: number;
  /** Per instance in-flight requests. */
  perInstance: Record<string, number>;
}

export interface TrafficRouter {
  /** Sets one service's desired state; returns once new instances take traffic. Removed instances drain in the background unless `drain` is awaited. */
  apply(route: ServiceRoute): Promise<void>;
  /** Resolves when none of these instances has a request in flight (or after timeoutMs), then they are gone from the router. */
  drain(serviceId: string, instanceIds: readonly string[], timeoutMs?: number): Promise<void>;
  /**
   * These instances died or fail their health checks: they take no new request from now on,
   * before the service's next route (a service's last instance is kept until a replacement
   * joins, so that requests wait for it instead of failing).
   */
  failed(serviceId: string, instanceIds: readonly string[]): Promise<void>;
  /** Removes the service: its hosts answer 404. */
  remove(serviceId: string): Promise<void>;
  /**
   * The service has no instance up and the one it was starting failed (a wake from zero with a
   * crashing image): the requests the data plane holds for it get 503 now, and new ones for
   * `forMs` unless an instance is up by then. Absent: held requests wait out their queue timeout.
   */
  startFailed?(serviceId: string, forMs: number): Promise<void>;
  /**
   * Resolves once every router following this one (edge routers) applied the routes this one has
   * now, or after timeoutMs. Absent, or without followers: the routes are applied already.
   */
  settle?(timeoutMs?: number): Promise<void>;
  /** Current load of every service backend (sampled every 250 ms by the autoscaler). */
  load(): Promise<BackendLoad[]>;
  /** The responses of a service's new version (its route's canary) over the last `windowMs`; absent: nothing is measured. */
  measureCanary?(serviceId: string, windowMs: number): Promise<VersionMeasurement>;
}

/** For runs without a data plane (tests of other parts, `--router none`). */
export const NO_ROUTER: TrafficRouter = {
  apply: () => Promise.resolve(),
  drain: () => Promise.resolve(),
  failed: () => Promise.resolve(),
  remove: () => Promise.resolve(),
  load: () => Promise.resolve([]),
};

/**
 * What custom domains need of the data plane (issue 19), beside the routes drivers apply. Every
 * change takes effect without a reload (HAProxy's runtime API: maps, `ssl cert`, `ssl crt-list`)
 * and is kept on disk so that reloads and restarts of HAProxy serve the same.
 */
export interface CustomDomainDataPlane {
  /**
   * The names (exact, or `*.example.com` for every immediate subdomain) that reach this service
   * besides its ServiceUrl; [] removes them. A more specific name wins over a wildcard (the
   * guide's "A more specific domain association overrides a less specific one"). Names of a
   * service the router does not know yet are kept and take effect when its route arrives.
   * remove(serviceId) takes them out of the maps with the route but keeps them: a later apply()
   * of the same service routes them again until they are set to [] (what the controller does
   * when it drops the service's associations).
   */
  setCustomDomainHosts(serviceId: string, hosts: readonly string[]): Promise<void>;
  /**
   * Serves this certificate (leaf, chain and key in one PEM) by SNI for the names it holds,
   * replacing the one of the same id (renewal) without dropping connections.
   */
  putCertificate(id: string, pem: string): Promise<void>;
  removeCertificate(id: string): Promise<void>;
  /** HTTP-01: `GET http://<any host>/.well-known/acme-challenge/<token>` answers keyAuthorization (before the HTTPS redirect). */
  setHttpChallenge(token: string, keyAuthorization: string): Promise<void>;
  clearHttpChallenge(token: string): Promise<void>;
}

/** For runs without a data plane (`--router none`, tests of other parts): custom domains are accepted and served nowhere. */
export const NO_CUSTOM_DOMAIN_DATA_PLANE: CustomDomainDataPlane = {
  setCustomDomainHosts: () => Promise.resolve(),
  putCertificate: () => Promise.resolve(),
  removeCertificate: () => Promise.resolve(),
  setHttpChallenge: () => Promise.resolve(),
  clearHttpChallenge: () => Promise.resolve(),
};
