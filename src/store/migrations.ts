/**
 * Schema versions, applied in order and recorded in SQLite's user_version. Append only:
 * a released migration is never edited, so every data directory upgrades the same way.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

  CREATE TABLE access_keys (
    access_key_id TEXT PRIMARY KEY,
    secret_access_key TEXT NOT NULL,
    principal TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );

  -- Every App Runner resource, one row each: the API shape in doc, our own state in internal.
  CREATE TABLE resources (
    arn TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 0,
    parent_arn TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    doc TEXT NOT NULL,
    internal TEXT NOT NULL DEFAULT '{}',
    seq INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    deleted_at INTEGER
  );
  CREATE UNIQUE INDEX resources_live_name ON resources(kind, parent_arn, name, revision) WHERE deleted_at IS NULL;
  CREATE INDEX resources_kind ON resources(kind, seq);
  CREATE INDEX resources_parent ON resources(parent_arn, kind);

  CREATE TABLE operations (
    id TEXT PRIMARY KEY,
    service_arn TEXT NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    seq INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    updated_at INTEGER NOT NULL,
    state TEXT NOT NULL
  );
  CREATE INDEX operations_service ON operations(service_arn, seq);
  CREATE INDEX operations_open ON operations(status) WHERE status IN ('PENDING', 'IN_PROGRESS', 'ROLLBACK_IN_PROGRESS');

  CREATE TABLE tags (
    resource_arn TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (resource_arn, key)
  );

  CREATE TABLE log_events (
    id INTEGER PRIMARY KEY,
    log_group TEXT NOT NULL,
    log_stream TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    ingestion_time INTEGER NOT NULL,
    message TEXT NOT NULL
  );
  CREATE INDEX log_events_stream ON log_events(log_group, log_stream, timestamp);

  -- EventBridge events waiting to be matched against rules and delivered.
  CREATE TABLE event_outbox (
    id INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL,
    time INTEGER NOT NULL,
    detail_type TEXT NOT NULL,
    event TEXT NOT NULL
  );
  `,
  // Every update bumps version, so a parsed document can be reused while its version holds.
  `ALTER TABLE resources ADD COLUMN version INTEGER NOT NULL DEFAULT 0;`,
  // EventBridge (src/telemetry/events): rules and targets, deliveries waiting for their next
  // attempt (so a restart loses none), and deliveries that ran out of attempts.
  `
  CREATE TABLE event_rules (
    event_bus TEXT NOT NULL,
    name TEXT NOT NULL,
    event_pattern TEXT NOT NULL,
    state TEXT NOT NULL,
    description TEXT,
    role_arn TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (event_bus, name)
  );

  -- target: the Target as PutTargets took it (Input, InputPath, RetryPolicy...), as JSON.
  CREATE TABLE event_targets (
    event_bus TEXT NOT NULL,
    rule TEXT NOT NULL,
    id TEXT NOT NULL,
    arn TEXT NOT NULL,
    target TEXT NOT NULL,
    PRIMARY KEY (event_bus, rule, id)
  );
  CREATE INDEX event_targets_arn ON event_targets(arn);

  CREATE TABLE event_deliveries (
    id INTEGER PRIMARY KEY,
    rule_arn TEXT NOT NULL,
    target_id TEXT NOT NULL,
    target_arn TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    request TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    give_up_at INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX event_deliveries_due ON event_deliveries(next_attempt_at);

  CREATE TABLE event_dead_letters (
    id INTEGER PRIMARY KEY,
    rule_arn TEXT NOT NULL,
    target_id TEXT NOT NULL,
    target_arn TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    last_error TEXT NOT NULL,
    failed_at INTEGER NOT NULL
  );
  `,
  // ECR (src/ecr): the built-in registry's repositories, their settings, lifecycle policy and
  // the policy of the last lifecycle policy preview;
  // their tags are in the tags table under the repository's ARN. The images are the registry's own.
  `
  CREATE TABLE ecr_repositories (
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    tag_mutability TEXT NOT NULL,
    scan_on_push INTEGER NOT NULL,
    encryption TEXT NOT NULL,
    lifecycle_policy TEXT,
    lifecycle_evaluated_at INTEGER,
    lifecycle_preview_policy TEXT,
    lifecycle_preview_at INTEGER,
    PRIMARY KEY (region, name)
  );
  `,
  // STS (src/sts): temporary credentials (AssumeRole, GetSessionToken, App Runner's own role
  // sessions). The secret is sealed like access keys'; the session token is kept only as its
  // SHA-256; principal is the Principal JSON every request signed with the key acts as.
  `
  CREATE TABLE sts_sessions (
    access_key_id TEXT PRIMARY KEY,
    secret_access_key TEXT NOT NULL,
    token_sha256 TEXT NOT NULL,
    principal TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX sts_sessions_expires ON sts_sessions(expires_at);
  `,
  // IAM (src/store/iam, src/iam-api): users, groups, roles and instance profiles are rows of
  // iam_entities (kind, unique id, name unique per kind whatever its case, path, ARN, a JSON doc
  // of the kind's own fields); what refers to them uses the unique id, so a renamed user keeps
  // its keys, groups, policies and tags. AWS managed policies live beside customer ones
  // (aws_managed = 1, account "aws" in the ARN). Access keys get an owner (a user's id; '' for
  // the root key), a status and what last used them.
  `
  CREATE TABLE iam_entities (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    arn TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    doc TEXT NOT NULL DEFAULT '{}'
  );
  CREATE UNIQUE INDEX iam_entities_name ON iam_entities(kind, name COLLATE NOCASE);

  CREATE TABLE iam_tags (
    entity_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (entity_id, key)
  );

  -- Group members (group id, user id) and instance profile roles (profile id, role id).
  CREATE TABLE iam_links (
    kind TEXT NOT NULL,
    from_id TEXT NOT NULL,
    to_id TEXT NOT NULL,
    PRIMARY KEY (kind, from_id, to_id)
  );
  CREATE INDEX iam_links_to ON iam_links(kind, to_id);

  CREATE TABLE iam_inline_policies (
    entity_id TEXT NOT NULL,
    name TEXT NOT NULL COLLATE NOCASE,
    document TEXT NOT NULL,
    PRIMARY KEY (entity_id, name)
  );

  CREATE TABLE iam_policies (
    arn TEXT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    aws_managed INTEGER NOT NULL,
    description TEXT,
    default_version TEXT NOT NULL,
    next_version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX iam_policies_name ON iam_policies(aws_managed, name COLLATE NOCASE);

  CREATE TABLE iam_policy_versions (
    policy_arn TEXT NOT NULL,
    version_id TEXT NOT NULL,
    document TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (policy_arn, version_id)
  );

  CREATE TABLE iam_attachments (
    entity_id TEXT NOT NULL,
    policy_arn TEXT NOT NULL,
    PRIMARY KEY (entity_id, policy_arn)
  );
  CREATE INDEX iam_attachments_policy ON iam_attachments(policy_arn);

  ALTER TABLE access_keys ADD COLUMN owner_id TEXT NOT NULL DEFAULT '';
  ALTER TABLE access_keys ADD COLUMN status TEXT NOT NULL DEFAULT 'Active';
  ALTER TABLE access_keys ADD COLUMN last_used_at INTEGER;
  ALTER TABLE access_keys ADD COLUMN last_used_service TEXT;
  ALTER TABLE access_keys ADD COLUMN last_used_region TEXT;
  CREATE INDEX access_keys_owner ON access_keys(owner_id);
  `,
  // Secrets Manager (src/store/secrets, src/secrets-manager): a secret per (region, name) until
  // it is purged (a name scheduled for deletion stays taken), its versions' values only as KMS
  // envelopes (never in clear), and its staging labels, one version per label.
  `
  CREATE TABLE sm_secrets (
    arn TEXT PRIMARY KEY,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    kms_key_id TEXT,
    created_at INTEGER NOT NULL,
    last_changed_at INTEGER NOT NULL,
    last_accessed_at INTEGER,
    deleted_at INTEGER,
    deletion_date INTEGER
  );
  CREATE UNIQUE INDEX sm_secrets_name ON sm_secrets(region, name);

  CREATE TABLE sm_secret_versions (
    secret_arn TEXT NOT NULL,
    version_id TEXT NOT NULL,
    value_type TEXT NOT NULL,
    envelope TEXT NOT NULL,
    kms_key_arn TEXT NOT NULL,
    customer_key INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_accessed_at INTEGER,
    PRIMARY KEY (secret_arn, version_id)
  );

  CREATE TABLE sm_version_stages (
    secret_arn TEXT NOT NULL,
    stage TEXT NOT NULL,
    version_id TEXT NOT NULL,
    PRIMARY KEY (secret_arn, stage)
  );
  `,
  `
  -- KMS (src/store/kms): keys with their material sealed under the master key, and aliases.
  CREATE TABLE kms_keys (
    key_id TEXT PRIMARY KEY,
    arn TEXT NOT NULL UNIQUE,
    manager TEXT NOT NULL,
    description TEXT NOT NULL,
    key_usage TEXT NOT NULL,
    key_spec TEXT NOT NULL,
    state TEXT NOT NULL,
    material TEXT NOT NULL,
    policy TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    deletion_date INTEGER,
    pending_window_days INTEGER
  );
  CREATE INDEX kms_keys_deletion ON kms_keys(deletion_date) WHERE deletion_date IS NOT NULL;

  CREATE TABLE kms_aliases (
    name TEXT PRIMARY KEY,
    key_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX kms_aliases_key ON kms_aliases(key_id);
  `,
  // SSM Parameter Store (src/store/parameters, src/ssm): a parameter's versions, each with its
  // own settings and its value (sealed with the store's box, or a KMS envelope for SecureString:
  // never in clear), and its labels (one version per label). The parameter row points at the latest.
  `
  CREATE TABLE ssm_parameters (
    name TEXT PRIMARY KEY,
    latest INTEGER NOT NULL
  );

  CREATE TABLE ssm_parameter_versions (
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    type TEXT NOT NULL,
    key_id TEXT,
    description TEXT,
    allowed_pattern TEXT,
    tier TEXT NOT NULL,
    data_type TEXT NOT NULL,
    value TEXT NOT NULL,
    modified_at INTEGER NOT NULL,
    modified_user TEXT NOT NULL,
    PRIMARY KEY (name, version)
  );

  CREATE TABLE ssm_parameter_labels (
    name TEXT NOT NULL,
    label TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (name, label)
  );
  `,
];
