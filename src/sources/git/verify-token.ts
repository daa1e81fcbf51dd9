/** What the provider said of a token: it works, it refused it, or it could not be asked. */
export interface TokenCheck {
  verdict: "accepted" | "refused" | "unreachable";
  detail: string;
}

/** Each provider's "who am I" endpoint: 200 with a valid token, 401/403 without. */
const USER_ENDPOINTS: Record<string, string> = {
  GITHUB: "https://api.github.com/user",
  BITBUCKET: "https://api.bitbucket.org/2.0/user",
};

/**
 * Asks the connection's provider whether the token works, when the provider can be reached. A
 * machine without the internet (or a provider that is down) does not block the handshake:
 * "unreachable" lets the caller store the token unverified and say so.
 */
export async function verifyProviderToken(
  providerType: string,
  token: string,
  opts: { fetch?: typeof fetch; timeoutMs?: number } = {},
): Promise<TokenCheck> {
  const url = USER_ENDPOINTS[providerType];
  if (!url) return { verdict: "unreachable", detail: `no verification endpoint is known for ${providerType}` };
  const host = new URL(url).host;
  let res: Response;
  try {
    res = await (opts.fetch ?? fetch)(url, {
      headers: { authorization: `Bearer ${token}`, accept: "application/json", "user-agent": "openrunner" },
      signal: AbortSignal.timeout(opts.timeoutMs ?? 5000),
    });
  } catch (err) {
    // The token is never part of the detail: only the host and the network's reason.
    return { verdict: "unreachable", detail: `${host} could not be reached (${err instanceof Error ? err.name : "error"})` };
  }
  await res.body?.cancel();
  if (res.status === 401 || res.status === 403) return { verdict: "refused", detail: `${host} refused the token (HTTP ${res.status})` };
  if (res.ok) return { verdict: "accepted", detail: `${host} accepted the token` };
  return { verdict: "unreachable", detail: `${host} answered HTTP ${res.status}` };
}
