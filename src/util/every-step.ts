/**
 * Clean-up that must run every step whatever an earlier one throws (a failed unmount must not
 * leave a cgroup behind): each step's failure is kept, named, for one error at the end.
 */
export class EveryStep {
  readonly problems: string[] = [];

  async attempt(what: string, step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (err) {
      this.problems.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** The problems as one sentence, or undefined when every step went well. */
  failures(): string | undefined {
    return this.problems.length > 0 ? this.problems.join("; ") : undefined;
  }
}
