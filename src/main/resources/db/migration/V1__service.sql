-- The service's own records; JobRunr keeps its queue in its own tables (jobrunr_*), created by JobRunr.
-- Portable SQL: the same migration runs on H2 (embedded default) and PostgreSQL (scale-out).

create table tenants (
    id              varchar(64)  primary key,
    callback_secret varchar(128) not null,
    created_at      timestamp with time zone not null
);

create table api_keys (
    id         varchar(36)  primary key,
    tenant_id  varchar(64)  not null references tenants (id),
    key_hash   varchar(64)  not null unique,
    admin      boolean      not null,
    label      varchar(200),
    created_at timestamp with time zone not null,
    revoked_at timestamp with time zone
);

create table models (
    id         varchar(36)  primary key,
    tenant_id  varchar(64)  not null references tenants (id),
    name       varchar(200) not null,
    sha256     varchar(64)  not null,
    bytes      bigint       not null,
    details    text         not null,
    created_at timestamp with time zone not null
);
create index models_tenant on models (tenant_id, created_at);

create table datasets (
    id         varchar(36)  primary key,
    tenant_id  varchar(64)  not null references tenants (id),
    name       varchar(200) not null,
    sha256     varchar(64)  not null,
    bytes      bigint       not null,
    details    text         not null,
    created_at timestamp with time zone not null
);
create index datasets_tenant on datasets (tenant_id, created_at);

create table jobs (
    id               varchar(36)  primary key,
    tenant_id        varchar(64)  not null references tenants (id),
    model_id         varchar(36)  not null,
    spec             text         not null,
    spec_sha256      varchar(64)  not null,
    idempotency_key  varchar(200),
    state            varchar(16)  not null,
    stage            varchar(16),
    progress         double precision not null,
    attempts         integer      not null,
    cancel_requested boolean      not null,
    error_code       varchar(64),
    error_message    text,
    result           text,
    created_at       timestamp with time zone not null,
    started_at       timestamp with time zone,
    finished_at      timestamp with time zone,
    updated_at       timestamp with time zone not null
);
create unique index jobs_idempotency on jobs (tenant_id, idempotency_key);
create index jobs_tenant_state on jobs (tenant_id, state, created_at);
create index jobs_model on jobs (model_id, state);

create table artifacts (
    id         varchar(36)  primary key,
    tenant_id  varchar(64)  not null references tenants (id),
    job_id     varchar(36)  not null references jobs (id),
    name       varchar(100) not null,
    media_type varchar(100) not null,
    sha256     varchar(64)  not null,
    bytes      bigint       not null,
    created_at timestamp with time zone not null
);
create unique index artifacts_job_name on artifacts (job_id, name);
