/**
 * The one table of error codes. Each code maps to the AWS exception name and HTTP status the
 * real App Runner (or the AWS front door, for protocol and auth errors) answers with.
 */
export const ERROR_CODES = {
  InvalidRequest: { type: "InvalidRequestException", status: 400 },
  InvalidState: { type: "InvalidStateException", status: 400 },
  ResourceNotFound: { type: "ResourceNotFoundException", status: 400 },
  ServiceQuotaExceeded: { type: "ServiceQuotaExceededException", status: 402 },
  InternalServiceError: { type: "InternalServiceErrorException", status: 500 },
  // Protocol layer: what the AWS JSON front door answers before an operation runs.
  UnknownOperation: { type: "UnknownOperationException", status: 400 },
  Serialization: { type: "SerializationException", status: 400 },
  UnsupportedMediaType: { type: "UnsupportedMediaTypeException", status: 415 },
  RequestEntityTooLarge: { type: "RequestEntityTooLargeException", status: 413 },
  // Authentication (SigV4) errors.
  MissingAuthenticationToken: { type: "MissingAuthenticationTokenException", status: 403 },
  IncompleteSignature: { type: "IncompleteSignatureException", status: 403 },
  UnrecognizedClient: { type: "UnrecognizedClientException", status: 403 },
  InvalidSignature: { type: "InvalidSignatureException", status: 403 },
  AccessDenied: { type: "AccessDeniedException", status: 403 },
  // Temporary credentials past their Expiration (awsQuery code ExpiredToken, as STS and IAM answer).
  ExpiredToken: { type: "ExpiredTokenException", status: 403 },
  // The query APIs' (STS, IAM) input validation: awsQuery code ValidationError, Coral-style messages.
  ValidationError: { type: "ValidationError", status: 400 },
  // IAM's policy grammar (src/iam/policy): a document that is not a policy IAM would accept.
  MalformedPolicyDocument: { type: "MalformedPolicyDocumentException", status: 400 },
  // Engine-level failures recorded on Operations (never sent as an HTTP error on their own).
  RuntimeUnavailable: { type: "InternalServiceErrorException", status: 500 },
  // A phase or deployment step outlived its bound (src/engine/step-bounds.ts).
  StepTimedOut: { type: "InternalServiceErrorException", status: 500 },
  // Images (src/images): why a deployment could not get its image; recorded on the Operation.
  ImageNotFound: { type: "InvalidRequestException", status: 400 },
  ImageAccessDenied: { type: "InvalidRequestException", status: 400 },
  ImagePullFailed: { type: "InternalServiceErrorException", status: 500 },
  // Git sources (src/sources/git): why a deployment could not get its source code.
  SourceNotFound: { type: "InvalidRequestException", status: 400 },
  SourceAccessDenied: { type: "InvalidRequestException", status: 400 },
  SourceFetchFailed: { type: "InternalServiceErrorException", status: 500 },
  // Local runtime (src/runtime/local): an instance could not be created, started or kept healthy.
  InstanceFailed: { type: "InternalServiceErrorException", status: 500 },
  HostSetupFailed: { type: "InternalServiceErrorException", status: 500 },
  // A gradual rollout went back by itself: the new version crossed a threshold (src/engine/reconcilers/rollout.ts).
  RolloutAborted: { type: "InternalServiceErrorException", status: 500 },
  // Source-code services (src/builder): a runtime, a build or the image assembly failed.
  BuildFailed: { type: "InternalServiceErrorException", status: 500 },
  // CloudTrail LookupEvents (the audit trail, src/telemetry/audit): CloudTrail's own exception names.
  InvalidLookupAttributes: { type: "InvalidLookupAttributesException", status: 400 },
  InvalidTimeRange: { type: "InvalidTimeRangeException", status: 400 },
  InvalidMaxResults: { type: "InvalidMaxResultsException", status: 400 },
  InvalidNextToken: { type: "InvalidNextTokenException", status: 400 },
  InvalidEventCategory: { type: "InvalidEventCategoryException", status: 400 },
  // EventBridge (src/telemetry/events); its ResourceNotFoundException is ResourceNotFound above.
  EventsValidation: { type: "ValidationException", status: 400 },
  EventsInvalidEventPattern: { type: "InvalidEventPatternException", status: 400 },
  EventsLimitExceeded: { type: "LimitExceededException", status: 400 },
  // CloudWatch Logs (src/telemetry/logs); its ResourceNotFoundException is ResourceNotFound above.
  InvalidParameter: { type: "InvalidParameterException", status: 400 },
  ResourceAlreadyExists: { type: "ResourceAlreadyExistsException", status: 400 },
  // CloudWatch metrics (src/telemetry/metrics): types are the awsJson names; the awsQuery codes
  // (InvalidParameterValue, MissingParameter, …) are mapped in protocol/query/error-codes.ts.
  CloudWatchInvalidParameterValue: { type: "InvalidParameterValueException", status: 400 },
  CloudWatchMissingParameter: { type: "MissingRequiredParameterException", status: 400 },
  CloudWatchInvalidParameterCombination: { type: "InvalidParameterCombinationException", status: 400 },
  CloudWatchInvalidNextToken: { type: "InvalidNextToken", status: 400 },
  // ECR (src/ecr); its InvalidParameterException is InvalidParameter above.
  EcrRepositoryNotFound: { type: "RepositoryNotFoundException", status: 400 },
  EcrRepositoryAlreadyExists: { type: "RepositoryAlreadyExistsException", status: 400 },
  EcrRepositoryNotEmpty: { type: "RepositoryNotEmptyException", status: 400 },
  EcrImageNotFound: { type: "ImageNotFoundException", status: 400 },
  EcrLifecyclePolicyNotFound: { type: "LifecyclePolicyNotFoundException", status: 400 },
  EcrLifecyclePolicyPreviewNotFound: { type: "LifecyclePolicyPreviewNotFoundException", status: 400 },
  EcrInvalidTagParameter: { type: "InvalidTagParameterException", status: 400 },
  EcrTooManyTags: { type: "TooManyTagsException", status: 400 },
  EcrLimitExceeded: { type: "LimitExceededException", status: 400 },
  // IAM (src/iam-api): IAM's own exceptions and statuses; the awsQuery <Code> is the type without "Exception".
  NoSuchEntity: { type: "NoSuchEntityException", status: 404 },
  EntityAlreadyExists: { type: "EntityAlreadyExistsException", status: 409 },
  DeleteConflict: { type: "DeleteConflictException", status: 409 },
  IamLimitExceeded: { type: "LimitExceededException", status: 409 },
  IamInvalidInput: { type: "InvalidInputException", status: 400 },
  UnmodifiableEntity: { type: "UnmodifiableEntityException", status: 400 },
  // IAM's answer to a request the model refuses (Coral's "1 validation error detected: …").
  IamValidation: { type: "ValidationError", status: 400 },
  // The registry behind the ECR API failed (not reachable, an error of its own): ECR's 500.
  EcrServer: { type: "ServerException", status: 500 },
  // KMS (src/kms, src/keys): TrentService's own exceptions.
  KmsNotFound: { type: "NotFoundException", status: 400 },
  KmsDisabled: { type: "DisabledException", status: 400 },
  KmsInvalidState: { type: "KMSInvalidStateException", status: 400 },
  KmsAlreadyExists: { type: "AlreadyExistsException", status: 400 },
  KmsInvalidCiphertext: { type: "InvalidCiphertextException", status: 400 },
  KmsIncorrectKey: { type: "IncorrectKeyException", status: 400 },
  KmsInvalidKeyUsage: { type: "InvalidKeyUsageException", status: 400 },
  KmsInvalidAliasName: { type: "InvalidAliasNameException", status: 400 },
  KmsInvalidArn: { type: "InvalidArnException", status: 400 },
  KmsLimitExceeded: { type: "LimitExceededException", status: 400 },
  KmsTag: { type: "TagException", status: 400 },
  KmsValidation: { type: "ValidationException", status: 400 },
  KmsInvalidGrantToken: { type: "InvalidGrantTokenException", status: 400 },
  KmsUnsupportedOperation: { type: "UnsupportedOperationException", status: 400 },
  // Secrets Manager (src/secrets-manager); its ResourceNotFoundException, InvalidRequestException and
  // InvalidParameterException are ResourceNotFound, InvalidRequest and InvalidParameter above.
  SecretsResourceExists: { type: "ResourceExistsException", status: 400 },
  SecretsDecryptionFailure: { type: "DecryptionFailure", status: 400 },
  SecretsEncryptionFailure: { type: "EncryptionFailure", status: 400 },
  SecretsLimitExceeded: { type: "LimitExceededException", status: 400 },
  SecretsMalformedPolicyDocument: { type: "MalformedPolicyDocumentException", status: 400 },
  // SSM Parameter Store (src/ssm): SSM's exception names, several without "Exception".
  ParameterNotFound: { type: "ParameterNotFound", status: 400 },
  ParameterAlreadyExists: { type: "ParameterAlreadyExists", status: 400 },
  ParameterVersionNotFound: { type: "ParameterVersionNotFound", status: 400 },
  ParameterVersionLabelLimitExceeded: { type: "ParameterVersionLabelLimitExceeded", status: 400 },
  ParameterLimitExceeded: { type: "ParameterLimitExceeded", status: 400 },
  ParameterMaxVersionLimitExceeded: { type: "ParameterMaxVersionLimitExceeded", status: 400 },
  ParameterPatternMismatch: { type: "ParameterPatternMismatchException", status: 400 },
  SsmInvalidKeyId: { type: "InvalidKeyId", status: 400 },
  SsmHierarchyLevelLimitExceeded: { type: "HierarchyLevelLimitExceededException", status: 400 },
  SsmHierarchyTypeMismatch: { type: "HierarchyTypeMismatchException", status: 400 },
  SsmUnsupportedParameterType: { type: "UnsupportedParameterType", status: 400 },
  SsmInvalidAllowedPattern: { type: "InvalidAllowedPatternException", status: 400 },
  SsmInvalidFilterKey: { type: "InvalidFilterKey", status: 400 },
  SsmInvalidFilterOption: { type: "InvalidFilterOption", status: 400 },
  SsmInvalidFilterValue: { type: "InvalidFilterValue", status: 400 },
  SsmInvalidNextToken: { type: "InvalidNextToken", status: 400 },
  SsmValidation: { type: "ValidationException", status: 400 },
  SsmInternalServerError: { type: "InternalServerError", status: 500 },
  SsmInvalidResourceType: { type: "InvalidResourceType", status: 400 },
  SsmInvalidResourceId: { type: "InvalidResourceId", status: 400 },
  SsmTooManyTags: { type: "TooManyTagsError", status: 400 },
  // A deployment could not read a RuntimeEnvironmentSecrets / run.secrets value, or the service's
  // KMS key (EncryptionConfiguration) is not usable: recorded on the Operation, the old version serves.
  SecretUnavailable: { type: "InvalidRequestException", status: 400 },
  EncryptionKeyUnusable: { type: "InvalidRequestException", status: 400 },
  // Custom domains (src/custom-domains, src/acme, src/dns): background failures, recorded on the
  // association (StatusMessage, events), never an API answer of their own.
  CertificateIssuanceFailed: { type: "InternalServiceErrorException", status: 500 },
  DnsZoneFailed: { type: "InternalServiceErrorException", status: 500 },
} as const satisfies Record<string, { type: string; status: number }>;

export type ErrorCode = keyof typeof ERROR_CODES;
