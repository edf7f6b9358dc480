-- Each callback of a job, delivered by JobRunr jobs until the receiver answers 2xx or the back-off gives up. The body
-- is kept as first written, so every retry sends (and signs) the same bytes under the same webhook-id.
create table callback_deliveries (
    id              varchar(40)  primary key,
    job_id          varchar(36)  not null references jobs (id) on delete cascade,
    tenant_id       varchar(64)  not null,
    url             text         not null,
    body            text         not null,
    state           varchar(16)  not null,
    attempts        integer      not null,
    last_status     integer,
    last_error      text,
    created_at      timestamp with time zone not null,
    last_attempt_at timestamp with time zone,
    next_attempt_at timestamp with time zone,
    delivered_at    timestamp with time zone
);
create index callback_deliveries_job on callback_deliveries (job_id, created_at);
