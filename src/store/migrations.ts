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
];
