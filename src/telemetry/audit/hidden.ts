/**
 * What CloudTrail writes in place of a secret. The App Runner guide: "some property values are
 * redacted in the logs and replaced with the text HIDDEN_DUE_TO_SECURITY_REASONS ... However,
 * you can still see that these properties were passed in the request or returned in the
 * response." So a present secret becomes this string and an absent one stays absent.
 */
export const HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS";
