import { readFileSync } from "node:fs";
import type { RepositoryDirectory, TagMutability } from "./types.js";

/**
 * A RepositoryDirectory read from a JSON file (`{"<name>": {"tagMutability": "MUTABLE"}}`) at
 * every lookup: what `openrunner up` uses (OPENRUNNER_REGISTRY_REPOSITORIES) until the ECR
 * API's repositories are wired in. A missing or unreadable file knows no repository.
 */
export function fileRepositoryDirectory(path: string, logger: (m: string, f?: Record<string, unknown>) => void): RepositoryDirectory {
  return {
    find(name) {
      let doc: Record<string, { tagMutability?: TagMutability }>;
      try {
        doc = JSON.parse(readFileSync(path, "utf8")) as typeof doc;
      } catch (err) {
        logger("registry: the repositories file cannot be read", { path, error: err instanceof Error ? err.message : String(err) });
        return undefined;
      }
      const entry = Object.hasOwn(doc, name) ? doc[name] : undefined;
      return entry ? { tagMutability: entry.tagMutability === "IMMUTABLE" ? "IMMUTABLE" : "MUTABLE" } : undefined;
    },
  };
}
