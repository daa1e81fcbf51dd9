import type { StoredTarget } from "../store/targets.js";
import type { DeliveryRequest } from "../store/deliveries.js";

/**
 * OpenRunner's targets are HTTP(S) endpoints, "API destination" style, named directly by the
 * target's Arn: `"Arn": "https://hooks.example.com/apprunner"`. There is no
 * CreateApiDestination here, so an api-destination ARN (or any other AWS ARN) names nothing
 * we can call and is refused, per target, as PutTargets refuses what it cannot deliver to.
 */
export function endpointOf(arn: string): { url: URL } | { error: string } {
  if (/^https?:\/\//i.test(arn)) {
    try {
      const url = new URL(arn);
      if (url.hostname !== "") return { url };
    } catch {
      // falls through to the format error
    }
    return { error: `Parameter ${arn} is not valid. Reason: Provided Arn is not a valid http(s) URL.` };
  }
  if (arn.startsWith("arn:")) {
    return {
      error:
        `Target ${arn} is not supported: OpenRunner delivers to HTTP and HTTPS endpoints only; ` +
        `give the endpoint's URL (http://... or https://...) as the target's Arn.`,
    };
  }
  return { error: `Parameter ${arn} is not valid. Reason: Provided Arn is not in correct format.` };
}

/** EventBridge's API destinations identify themselves so; receivers may check it. */
const USER_AGENT = "Amazon/EventBridge/ApiDestinations";

/**
 * The POST for a target: its URL with the HttpParameters API destinations honour (path
 * parameters fill the URL's `*`s in order, query string parameters are added) and its headers.
 */
export function deliveryRequest(target: StoredTarget): DeliveryRequest {
  const found = endpointOf(target.Arn);
  if ("error" in found) throw new Error(found.error);
  const url = found.url;
  const params = target.HttpParameters;
  for (const value of params?.PathParameterValues ?? []) {
    url.pathname = url.pathname.replace(/\*|%2A/i, encodeURIComponent(value));
  }
  for (const [k, v] of Object.entries(params?.QueryStringParameters ?? {})) url.searchParams.append(k, v);
  return {
    url: url.toString(),
    headers: {
      "content-type": "application/json; charset=utf-8",
      "user-agent": USER_AGENT,
      ...Object.fromEntries(Object.entries(params?.HeaderParameters ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    },
  };
}
