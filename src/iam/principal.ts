/**
 * Who signed a request, as SigV4 verification hands it to every API, the authorizer and the
 * audit trail. One shape for the three kinds of callers OpenRunner has: the account's root key,
 * an IAM user's access key (long-term, or a GetSessionToken session of that user), and a role
 * session from AssumeRole (a person's, or App Runner's own for an access or instance role).
 */
export type PrincipalType = "Root" | "IAMUser" | "AssumedRole";

export interface RoleSessionOf {
  /** The role's IAM ARN, `arn:aws:iam::<account>:role/<path><name>`. */
  arn: string;
  name: string;
  /** The role's unique id, AROA… */
  id: string;
  sessionName: string;
}

export interface Principal {
  accessKeyId: string;
  accountId: string;
  /**
   * Root: `arn:aws:iam::<account>:root`; IAMUser: `arn:aws:iam::<account>:user/<path><name>`;
   * AssumedRole: `arn:aws:sts::<account>:assumed-role/<role name>/<session name>`.
   */
  arn: string;
  type: PrincipalType;
  /** aws:userid: the account id for root, AIDA… for a user, `AROA…:<session name>` for a role session. */
  userId?: string;
  /** IAMUser (also for a GetSessionToken session of that user): aws:username. */
  userName?: string;
  /** AssumedRole: the role and the session's name. */
  role?: RoleSessionOf;
  /** Temporary credentials (ASIA…): when they stop working, in ms since the epoch. */
  expiresAt?: number;
  /** Temporary credentials: when STS issued them (ms), CloudTrail's sessionContext.attributes.creationDate. */
  issuedAt?: number;
  /** Session tags given to AssumeRole: aws:PrincipalTag/* over the role's own tags. */
  sessionTags?: Readonly<Record<string, string>>;
}
