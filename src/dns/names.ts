/** DNS names as DNS compares them: case-insensitively, with or without the root's trailing dot. */
export function canonicalName(name: string): string {
  return name.trim().replace(/\.+$/, "").toLowerCase();
}

/** `name` is `zone` or under it (both canonical). */
export function isWithin(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

/** One place for the logger shape dns/ takes, the project's usual (message, fields) one. */
export type DnsLogger = (message: string, fields?: Record<string, unknown>) => void;
