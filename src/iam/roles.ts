/** A role as the STS and App Runner's own use of roles (access role, instance role) see it. */
export interface RoleRecord {
  arn: string;
  name: string;
  /** AROA… */
  roleId: string;
  path: string;
  /** The trust policy (AssumeRolePolicyDocument), JSON text. */
  trustPolicy: string;
  /** Seconds, 3600..43200. */
  maxSessionDuration: number;
  tags: Readonly<Record<string, string>>;
}

export interface RoleDirectory {
  /** By IAM ARN (`arn:aws:iam::<account>:role/<path><name>`); undefined when there is no such role. */
  roleByArn(arn: string): RoleRecord | undefined;
}
