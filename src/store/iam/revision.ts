/**
 * Moves on every IAM write (users, groups, roles, policies, attachments, tags, keys, and the
 * STS side's sessions when they change what a principal may do): the authorizer keeps compiled
 * policies per principal until it moves. In memory: only this process writes IAM, and a restart
 * starts every cache empty.
 */
export class IamRevision {
  private n = 0;

  value(): number {
    return this.n;
  }

  bump(): void {
    this.n++;
  }
}
