import { AppRunnerError } from "../errors/app-runner-error.js";
import type { CertificateStore } from "./certificate-store.js";
import { checkChallenge, checkPem, customHost } from "./custom-domains.js";
import type { RouterFiles } from "./router-files.js";

export interface CustomDomainPlaneDeps {
  files: RouterFiles;
  challengesMap: string;
  /** One runtime API command that must answer nothing. */
  cmd: (text: string) => Promise<unknown>;
  /** A change in the router's serial slot; if HAProxy died, its restart serves the files instead. */
  mutate: (fn: () => Promise<void>) => Promise<void>;
  /** Brings the running hosts.map and wildcards.map to the routes and `hosts`. */
  syncHosts: () => Promise<void>;
}

/**
 * The router's CustomDomainDataPlane state: custom hosts per service (custom-hosts.json), HTTP-01
 * challenges (acme-challenges.map) and custom certificates (certs/ + the crt-list). Inputs are
 * validated before anything is written or sent; files are written before the runtime API is
 * asked, so a restart of HAProxy in between serves the same.
 */
export class CustomDomainPlane {
  /** setCustomDomainHosts per service: routed while the service has a route. */
  readonly hosts: Map<string, string[]>;
  private readonly challenges: Map<string, string>;
  /** Set once HTTPS is up (start() with httpsPort > 0). */
  certificates: CertificateStore | undefined;

  constructor(private readonly d: CustomDomainPlaneDeps) {
    this.hosts = d.files.readCustomHosts();
    this.challenges = d.files.readChallenges();
  }

  /**
   * Kept until set to [] by the control plane: remove(serviceId) only takes them out of the maps
   * with the route, and a later apply() of the same service routes them again.
   */
  async setHosts(serviceId: string, hosts: readonly string[]): Promise<void> {
    const names = [...new Set(hosts.map(customHost))].sort();
    if (names.length > 0) this.hosts.set(serviceId, names);
    else this.hosts.delete(serviceId);
    this.d.files.writeCustomHosts(this.hosts);
    await this.d.mutate(() => this.d.syncHosts());
  }

  async putCertificate(id: string, pem: string): Promise<void> {
    const cert = checkPem(pem);
    await this.d.mutate(() => this.store().put(id, cert));
  }

  async removeCertificate(id: string): Promise<void> {
    await this.d.mutate(() => this.store().remove(id));
  }

  async setHttpChallenge(token: string, keyAuthorization: string): Promise<void> {
    checkChallenge(token, keyAuthorization);
    await this.d.mutate(async () => {
      const had = this.challenges.has(token);
      this.challenges.set(token, keyAuthorization);
      this.d.files.writeChallenges(this.challenges);
      await this.d.cmd(`${had ? "set" : "add"} map ${this.d.challengesMap} ${token} ${keyAuthorization}`);
    });
  }

  async clearHttpChallenge(token: string): Promise<void> {
    checkChallenge(token);
    await this.d.mutate(async () => {
      if (!this.challenges.delete(token)) return;
      this.d.files.writeChallenges(this.challenges);
      await this.d.cmd(`del map ${this.d.challengesMap} ${token}`);
    });
  }

  /** The challenges map and the crt-list, before HAProxy starts or reloads. */
  writeFiles(): void {
    this.d.files.writeChallenges(this.challenges);
    this.certificates?.writeCrtList();
  }

  private store(): CertificateStore {
    if (!this.certificates) throw new AppRunnerError("InternalServiceError", "The router serves no HTTPS (httpsPort 0, or not started): it cannot serve certificates.");
    return this.certificates;
  }
}
