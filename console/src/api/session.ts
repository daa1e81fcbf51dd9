/**
 * An access key as in `<data-dir>/credentials` or made by `aws iam create-access-key`, or
 * temporary credentials (AssumeRole, GetSessionToken) with their session token; kept for this
 * browser tab only.
 */
export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface ConsoleConfig {
  region: string;
  baseDomain: string;
  /** `{host}` is a service's ServiceUrl; see src/console/route.ts. */
  serviceUrlTemplate?: string;
}

export function serviceLink(config: ConsoleConfig, host: string): string {
  return (config.serviceUrlTemplate ?? "https://{host}").replace("{host}", host);
}

// sessionStorage, not localStorage: the key dies with the tab and is never shared between tabs.
const KEY = "openrunner.session";

export function loadSession(): AccessKey | undefined {
  try {
    const parsed = JSON.parse(sessionStorage.getItem(KEY) ?? "null") as Partial<AccessKey> | null;
    if (parsed && typeof parsed.accessKeyId === "string" && typeof parsed.secretAccessKey === "string") {
      const token = typeof parsed.sessionToken === "string" && parsed.sessionToken !== "" ? { sessionToken: parsed.sessionToken } : {};
      return { accessKeyId: parsed.accessKeyId, secretAccessKey: parsed.secretAccessKey, ...token };
    }
  } catch {
    // A damaged entry is the same as none.
  }
  return undefined;
}

export function saveSession(key: AccessKey): void {
  sessionStorage.setItem(KEY, JSON.stringify(key));
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}

export async function fetchConfig(): Promise<ConsoleConfig> {
  const res = await fetch(`${import.meta.env.BASE_URL}config.json`, { cache: "no-store" });
  if (!res.ok) throw new Error(`config.json: HTTP ${res.status}`);
  return (await res.json()) as ConsoleConfig;
}
