/** One rule of an ECR lifecycle policy, in words a person reads (ECR's console shows the same). */
export interface RuleSummary {
  priority: number | undefined;
  description: string;
  appliesTo: string;
  when: string;
  action: string;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : {});
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

function appliesTo(selection: Json): string {
  const prefixes = strings(selection.tagPrefixList);
  const patterns = strings(selection.tagPatternList);
  switch (selection.tagStatus) {
    case "untagged":
      return "Untagged images";
    case "any":
      return "Any image";
    case "tagged":
      if (prefixes.length > 0) return `Images tagged with prefix ${prefixes.join(", ")}`;
      if (patterns.length > 0) return `Images tagged matching ${patterns.join(", ")}`;
      return "Tagged images";
    default:
      return String(selection.tagStatus ?? "—");
  }
}

function when(selection: Json): string {
  const n = typeof selection.countNumber === "number" ? selection.countNumber : undefined;
  if (selection.countType === "imageCountMoreThan") return `More than ${n ?? "?"} image${n === 1 ? "" : "s"}: the oldest go first`;
  if (selection.countType === "sinceImagePushed") {
    const unit = typeof selection.countUnit === "string" ? selection.countUnit : "days";
    return `${n ?? "?"} ${n === 1 ? unit.replace(/s$/, "") : unit} after push`;
  }
  return String(selection.countType ?? "—");
}

/**
 * The rules of a lifecycle policy's text, highest priority (lowest number) first; undefined
 * when the text is not a policy (shown raw instead).
 */
export function summarizeLifecyclePolicy(text: string): RuleSummary[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const rules = obj(parsed).rules;
  if (!Array.isArray(rules)) return undefined;
  return rules
    .map((r): RuleSummary => {
      const rule = obj(r);
      const selection = obj(rule.selection);
      const action = obj(rule.action).type;
      return {
        priority: typeof rule.rulePriority === "number" ? rule.rulePriority : undefined,
        description: typeof rule.description === "string" ? rule.description : "",
        appliesTo: appliesTo(selection),
        when: when(selection),
        action: action === "expire" ? "Expire" : String(action ?? "—"),
      };
    })
    .sort((a, b) => (a.priority ?? Infinity) - (b.priority ?? Infinity));
}

/** The policy's text indented for reading (as the API gave it when it is not JSON). */
export function prettyPolicy(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
