/**
 * Edits one running HAProxy map (hosts.map, wildcards.map) from `cur` to `want` over the runtime
 * API, removals first; returns what the map holds afterwards.
 */
export async function syncMap(
  cmd: (text: string) => Promise<unknown>,
  map: string,
  cur: ReadonlyMap<string, string>,
  want: Map<string, string>,
): Promise<Map<string, string>> {
  for (const key of cur.keys()) {
    if (!want.has(key)) await cmd(`del map ${map} ${key}`);
  }
  for (const [key, target] of want) {
    const had = cur.get(key);
    if (had === undefined) await cmd(`add map ${map} ${key} ${target}`);
    else if (had !== target) await cmd(`set map ${map} ${key} ${target}`);
  }
  return want;
}
