import type {
  AssociateCustomDomainRequest,
  DescribeCustomDomainsRequest,
  DisassociateCustomDomainRequest,
  VpcDNSTarget,
} from "@aws-sdk/client-apprunner";
import { customDomainKey } from "../../domain/arns.js";
import { customDomainZoneOf } from "../../domain/config.js";
import {
  certificateNames,
  CUSTOM_DOMAIN_STATUS,
  customDomainForWire,
  validationRecords,
  type CustomDomainDoc,
} from "../../domain/custom-domains.js";
import type { ServiceRow } from "../../domain/service-record.js";
import { AppRunnerError, invalidRequest, invalidState, notFound } from "../../errors/app-runner-error.js";
import { handler, type OperationHandler, type RequestContext } from "../../domain/api-context.js";
import { listPage } from "../../protocol/paging.js";
import type { Wire } from "../../protocol/wire.js";
import { requireService } from "./common.js";
import type { VpcIngressConnectionDoc } from "./vpc-ingress-connections.js";

/*
 * Custom domains are rows of kind "custom-domain" under their service (parentArn), keyed by
 * customDomainKey: App Runner gives them no ARN. These handlers only write desired state: the
 * custom-domain controller (src/custom-domains/) checks the records, gets the certificate, moves
 * an association on to active, and removes a `deleting` one from the data plane, then its row.
 */

interface DomainName {
  name: string;
  wildcard: boolean;
}

/**
 * Second-level labels under which country registries sell names (example.co.uk): without a
 * public suffix list, this is how a wildcard's base is recognised as a root domain.
 */
const REGISTRY_SECOND_LEVELS = new Set(["co", "com", "net", "org", "gov", "edu", "ac", "ne", "or", "go"]);

function isRootDomain(labels: readonly string[]): boolean {
  if (labels.length === 2) return true;
  const [second, tld] = labels.slice(-2);
  return labels.length === 3 && tld?.length === 2 && REGISTRY_SECOND_LEVELS.has(second ?? "");
}

/**
 * The model's pattern admits strings like `a..b` or `login*.example.com`; the guide's "Custom
 * domain names" section allows a root domain, a subdomain, or `*.` directly under a root
 * domain. Names are compared lower-case, as DNS does. OpenRunner's own zone is refused: its
 * names are the services' default domains.
 */
function checkDomainName(raw: string, baseDomain: string): DomainName {
  const name = raw.toLowerCase().replace(/\.$/, "");
  const labels = name.split(".");
  const label = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
  const wildcard = labels[0] === "*";
  const rest = wildcard ? labels.slice(1) : labels;
  if (labels.length < 2 || !rest.every((l) => label.test(l))) {
    throw invalidRequest(`${raw} is not a valid domain name.`);
  }
  if (wildcard && !isRootDomain(rest)) {
    throw invalidRequest(`A wildcard is allowed only directly under a root domain (like *.example.com), not ${raw}.`);
  }
  const base = baseDomain.toLowerCase();
  if (name === base || name.endsWith(`.${base}`)) {
    throw invalidRequest(`${raw} is in OpenRunner's own domain ${baseDomain} and can't be associated.`);
  }
  return { name, wildcard };
}

/** The hostnames one association serves. */
function hostnamesOf(domain: string, enableWww: boolean): string[] {
  return enableWww ? [domain, `www.${domain}`] : [domain];
}

/** The service's own answer parts every custom-domain response carries. */
function targets(ctx: RequestContext, s: ServiceRow): { DNSTarget: string; ServiceArn: string; VpcDNSTargets: Wire<VpcDNSTarget>[] } {
  const ingress = ctx.store.resources.list<VpcIngressConnectionDoc>({ kind: "vpc-ingress-connection", parentArn: s.arn });
  return {
    DNSTarget: s.doc.ServiceUrl ?? "",
    ServiceArn: s.arn,
    VpcDNSTargets: ingress.map((r) => ({
      VpcIngressConnectionArn: r.arn,
      VpcId: r.doc.IngressVpcConfiguration?.VpcId,
      DomainName: r.doc.DomainName,
    })),
  };
}

/**
 * "When your service is paused" (developer guide) lists custom domain association changes among
 * the actions a paused service refuses; a service being deleted refuses them too.
 */
function assertCanChangeDomains(ctx: RequestContext, s: ServiceRow): void {
  if (s.status === "PAUSED") {
    throw invalidState(`Custom domains of service ${s.name} cannot be changed while it is paused. Resume the service first.`);
  }
  if (ctx.store.operations.openForService(s.arn).some((o) => o.type === "DELETE_SERVICE")) {
    throw invalidState(`Service ${s.name} is being deleted.`);
  }
}

/**
 * Every hostname a live service already answers to through an association, with its service. An
 * association being deleted still holds its names (and counts towards the quota) until the
 * controller has taken it out of the data plane and its row is gone: two services never claim
 * one name in the router at once.
 */
function takenHostnames(ctx: RequestContext): Map<string, string> {
  const taken = new Map<string, string>();
  for (const r of ctx.store.resources.list<CustomDomainDoc>({ kind: "custom-domain" })) {
    const owner = ctx.store.resources.get(r.parentArn);
    if (!owner || owner.deletedAt !== null) continue;
    for (const h of hostnamesOf(r.name, r.doc.EnableWWWSubdomain === true)) taken.set(h, owner.name);
  }
  return taken;
}

function newAssociation(ctx: RequestContext, s: ServiceRow, domain: DomainName, enableWww: boolean): CustomDomainDoc {
  const hosts = hostnamesOf(domain.name, enableWww);
  const taken = takenHostnames(ctx);
  const deleting = ctx.store.resources.get<CustomDomainDoc>(customDomainKey(s.arn, domain.name));
  if (deleting?.doc.Status === CUSTOM_DOMAIN_STATUS.deleting) {
    throw invalidRequest(`Domain ${domain.name} is being disassociated from service ${s.name}; associate it again once it is gone.`);
  }
  for (const h of hosts) {
    const owner = taken.get(h);
    if (owner !== undefined) {
      throw invalidRequest(
        owner === s.name
          ? `Domain ${h} is already associated with service ${s.name}.`
          : `Domain ${h} is already associated with another service (${owner}).`,
      );
    }
  }
  const quota = ctx.config.quotas.customDomainsPerService;
  // AssociateCustomDomain has no ServiceQuotaExceededException in the model, hence InvalidRequest.
  if (ctx.store.resources.count({ kind: "custom-domain", parentArn: s.arn }) >= quota) {
    throw invalidRequest(`Service ${s.name} already has the maximum number of custom domains (${quota}).`);
  }
  // The validation records are acme-dns style: `_acme-challenge.<name>` CNAME into OpenRunner's
  // challenge zone, created once; App Runner's are ACM's, which OpenRunner has none of.
  const message = ctx.customDomains?.initialStatusMessage();
  return {
    DomainName: domain.name,
    EnableWWWSubdomain: enableWww,
    Status: CUSTOM_DOMAIN_STATUS.pendingCertificateDnsValidation,
    CertificateValidationRecords: validationRecords(customDomainZoneOf(ctx.config), certificateNames(domain.name, enableWww)),
    ...(message !== undefined ? { StatusMessage: message } : {}),
    Progress: { since: ctx.clock.now() },
  };
}

const associateCustomDomain = handler<Wire<AssociateCustomDomainRequest>>((input, ctx) =>
  ctx.store.tx(() => {
    let s: ServiceRow;
    try {
      s = requireService(ctx, input.ServiceArn ?? "");
    } catch (err) {
      // The model gives AssociateCustomDomain no ResourceNotFoundException.
      if (err instanceof AppRunnerError && err.code === "ResourceNotFound") throw invalidRequest(err.message);
      throw err;
    }
    assertCanChangeDomains(ctx, s);
    const domain = checkDomainName(input.DomainName ?? "", ctx.config.baseDomain);
    if (domain.wildcard && input.EnableWWWSubdomain === true) {
      throw invalidRequest("EnableWWWSubdomain can't be used with a wildcard domain.");
    }
    // www defaults on, as in App Runner, except where the guide says it can't apply (wildcards).
    const enableWww = input.EnableWWWSubdomain ?? !domain.wildcard;
    const doc = newAssociation(ctx, s, domain, enableWww);
    ctx.store.resources.insert({
      arn: customDomainKey(s.arn, domain.name),
      kind: "custom-domain",
      name: domain.name,
      parentArn: s.arn,
      status: doc.Status ?? "",
      doc,
      createdAt: ctx.clock.now(),
    });
    ctx.customDomains?.changed();
    return { ...targets(ctx, s), CustomDomain: customDomainForWire(doc) };
  }),
);

const describeCustomDomains = handler<Wire<DescribeCustomDomainsRequest>>((input, ctx) => {
  const s = requireService(ctx, input.ServiceArn ?? "");
  const { items, next } = listPage<CustomDomainDoc>(
    ctx.store.resources,
    { kind: "custom-domain", parentArn: s.arn },
    input.NextToken,
    input.MaxResults ?? 5,
  );
  return { ...targets(ctx, s), CustomDomains: items.map((r) => customDomainForWire(r.doc)), ...next };
});

const disassociateCustomDomain = handler<Wire<DisassociateCustomDomainRequest>>((input, ctx) =>
  ctx.store.tx(() => {
    const s = requireService(ctx, input.ServiceArn ?? "");
    assertCanChangeDomains(ctx, s);
    const name = (input.DomainName ?? "").toLowerCase().replace(/\.$/, "");
    const key = customDomainKey(s.arn, name);
    const row = ctx.store.resources.get<CustomDomainDoc>(key);
    if (!row || row.kind !== "custom-domain") {
      throw notFound(`Domain ${name} is not associated with service ${s.name}.`);
    }
    // The row stays, `deleting`, until the controller has taken the domain out of the data plane
    // (Terraform's delete waits for deleting -> gone); a failure there shows as delete_failed.
    const doc: CustomDomainDoc = { ...row.doc, Status: CUSTOM_DOMAIN_STATUS.deleting };
    delete doc.StatusMessage;
    ctx.store.resources.update({ ...row, status: CUSTOM_DOMAIN_STATUS.deleting, doc });
    ctx.customDomains?.changed();
    return { ...targets(ctx, s), CustomDomain: customDomainForWire(doc) };
  }),
);

export const customDomainsOperations: Record<string, OperationHandler> = {
  AssociateCustomDomain: associateCustomDomain,
  DescribeCustomDomains: describeCustomDomains,
  DisassociateCustomDomain: disassociateCustomDomain,
};
