import type { ApiDeps } from "./api-context.js";
import { decodeNextToken, page } from "../protocol/paging.js";
import { epochSeconds } from "../protocol/wire.js";
import { invalidRequest, notFound, quotaExceeded } from "../errors/app-runner-error.js";
import type { ResourceKind, ResourceRow } from "../store/resources.js";
import { isLocalArn, parseArn } from "./arns.js";

/**
 * Auto scaling and observability configurations share App Runner's revision model: a name has
 * numbered revisions, the highest ACTIVE one is `Latest`, a delete makes a revision INACTIVE
 * (still describable, no longer usable), and ARNs may be partial (`.../name[/revision]`).
 * This module holds that model once; the operation files add what differs.
 */
export interface RevisionedKind {
  kind: ResourceKind;
  /** The resource type in the ARN, e.g. `autoscalingconfiguration`. */
  arnType: string;
  /** How messages name the resource, e.g. "Auto scaling configuration". */
  label: string;
  /**
   * The two statuses as App Runner spells them for this kind: `active`/`inactive` for auto
   * scaling configurations, `ACTIVE`/`INACTIVE` for observability ones, whatever the model says.
   */
  statuses: { active: string; inactive: string };
}

/** The fields every revisioned configuration document carries under the same names. */
export interface RevisionedDoc {
  Latest?: boolean;
  Status?: string;
  CreatedAt?: number;
  DeletedAt?: number;
}

type Deps = Pick<ApiDeps, "store">;
type LookupDeps = Pick<ApiDeps, "store" | "config">;

/**
 * Finds what an ARN names: a full ARN names one revision, whatever its status (so an INACTIVE
 * revision can still be described); a partial ARN ending at the name (or name/revision) means
 * "the latest active revision" (or that active revision), as the API reference puts it.
 */
export function findRevision<TDoc extends RevisionedDoc>(deps: LookupDeps, k: RevisionedKind, arn: string): ResourceRow<TDoc> | undefined {
  const exact = deps.store.resources.get<TDoc>(arn);
  if (exact) return exact.kind === k.kind ? exact : undefined;
  const parsed = parseArn(arn);
  if (!parsed || parsed.resourceType !== k.arnType || parsed.parts.length > 2) return undefined;
  // A partial ARN must still name this region and account: others can never exist here.
  if (!isLocalArn(deps.config, arn)) return undefined;
  const [name, rev] = parsed.parts;
  return activeRevisions<TDoc>(deps, k, name ?? "")
    .filter((r) => rev === undefined || String(r.revision) === rev)
    .sort((a, b) => b.revision - a.revision)[0];
}

/** The revision an ARN names, or ResourceNotFoundException. */
export function requireRevision<TDoc extends RevisionedDoc>(deps: LookupDeps, k: RevisionedKind, arn: string): ResourceRow<TDoc> {
  const row = findRevision<TDoc>(deps, k, arn);
  if (!row) throw notFound(`${k.label} not found: ${arn}`);
  return row;
}

/** An ACTIVE revision: an INACTIVE one "was deleted and can't be used" (API reference). */
export function requireActiveRevision<TDoc extends RevisionedDoc>(deps: LookupDeps, k: RevisionedKind, arn: string): ResourceRow<TDoc> {
  const row = requireRevision<TDoc>(deps, k, arn);
  if (row.deletedAt !== null) throw invalidRequest(`${k.label} ${row.arn} is inactive.`);
  return row;
}

export function activeRevisions<TDoc>(deps: Deps, k: RevisionedKind, name: string): ResourceRow<TDoc>[] {
  return deps.store.resources.list<TDoc>({ kind: k.kind, name });
}

export interface RevisionQuotas {
  names: number;
  revisionsPerName: number;
  /** A name App Runner provides itself, which the name quota ("names ... that you create") does not count. */
  providedName?: string;
}

/**
 * The revision number a new configuration of `name` gets, after checking the quotas. Numbers
 * continue after deleted revisions ("consecutive revision numbers", developer guide), so an ARN's
 * name/revision pair never comes back naming different settings. Quotas count live rows only:
 * "you must either delete a configuration name or at least some of its revisions before you can
 * create more".
 */
export function nextRevision(deps: Deps, k: RevisionedKind, name: string, q: RevisionQuotas): number {
  const live = deps.store.resources.count({ kind: k.kind, name });
  if (live === 0) {
    const provided = q.providedName !== undefined && deps.store.resources.count({ kind: k.kind, name: q.providedName }) > 0;
    const names = deps.store.resources.countNames(k.kind) - (provided ? 1 : 0);
    if (names >= q.names) {
      throw quotaExceeded(`You have reached the maximum number of ${k.label.toLowerCase()} names (${q.names}).`);
    }
  } else if (live >= q.revisionsPerName) {
    throw quotaExceeded(`You have reached the maximum number of revisions (${q.revisionsPerName}) for ${k.label.toLowerCase()} ${name}.`);
  }
  return deps.store.resources.maxRevision(k.kind, name) + 1;
}

/** Keeps `Latest` true on exactly the highest active revision of a name; the caller holds the transaction. */
export function refreshLatest<TDoc extends RevisionedDoc>(deps: Deps, k: RevisionedKind, name: string): void {
  const rows = activeRevisions<TDoc>(deps, k, name);
  const top = Math.max(0, ...rows.map((r) => r.revision));
  for (const r of rows) {
    const latest = r.revision === top;
    if (r.doc.Latest !== latest) {
      r.doc = { ...r.doc, Latest: latest };
      deps.store.resources.update(r);
    }
  }
}

/**
 * Soft delete: the revision becomes inactive with DeletedAt, and "isn't the latest active
 * revision anymore" (AWS CLI example), so Latest moves to the highest remaining active one.
 */
export function deactivate<TDoc extends RevisionedDoc>(deps: Pick<ApiDeps, "store" | "clock">, k: RevisionedKind, row: ResourceRow<TDoc>): ResourceRow<TDoc> {
  const now = deps.clock.now();
  row.status = k.statuses.inactive;
  row.deletedAt = now;
  row.doc = { ...row.doc, Status: k.statuses.inactive, DeletedAt: epochSeconds(now), Latest: false };
  deps.store.resources.update(row);
  refreshLatest(deps, k, row.name);
  return row;
}

export interface RevisionListQuery {
  name?: string;
  /** "Default: true" in the API reference. */
  latestOnly?: boolean;
  /** Without it, "the request retrieves all available results in a single response". */
  maxResults?: number;
  nextToken?: string;
}

/** One page of ACTIVE revisions ("Returns a list of active ... configurations"), oldest first. */
export function listRevisions<TDoc extends RevisionedDoc>(
  deps: Deps,
  k: RevisionedKind,
  q: RevisionListQuery,
): { items: ResourceRow<TDoc>[]; nextToken?: string } {
  const after = decodeNextToken(q.nextToken);
  const rows = deps.store.resources
    .list<TDoc>({ kind: k.kind, ...(q.name !== undefined ? { name: q.name } : {}), ...(after !== undefined ? { afterSeq: after } : {}) })
    .filter((r) => q.latestOnly === false || r.doc.Latest === true);
  return q.maxResults === undefined ? { items: rows } : page(rows.slice(0, q.maxResults + 1), q.maxResults);
}

/** Pages any list already in seq order the way the store pages its own (keyset on seq). */
export function pageBySeq<T extends { seq: number }>(rows: T[], nextToken: string | undefined, max: number | undefined): { items: T[]; nextToken?: string } {
  const after = decodeNextToken(nextToken);
  const rest = after === undefined ? rows : rows.filter((r) => r.seq > after);
  return max === undefined ? { items: rest } : page(rest.slice(0, max + 1), max);
}
