/**
 * CloudTrail's readOnly: true for calls that only read. AWS decides per operation; every API
 * OpenRunner serves names its reads with one of these verbs (DescribeService, ListServices,
 * GetLogEvents, FilterLogEvents, TestEventPattern, LookupEvents, BatchGet…), so the verb decides.
 */
const READ_VERBS = ["Describe", "List", "Get", "BatchGet", "Lookup", "Test", "Filter"] as const;

export function isReadOnly(operation: string): boolean {
  // The verb must end at a word boundary: "Listen" or "Getaway" would not be reads.
  return READ_VERBS.some((verb) => operation.startsWith(verb) && /^(?:[A-Z]|$)/.test(operation.slice(verb.length)));
}
