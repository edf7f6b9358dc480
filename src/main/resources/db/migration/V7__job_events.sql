-- A job's events, numbered per job, so a client that lost its event stream resumes after the last id it saw
-- (Last-Event-ID) on any API process.
create table job_events (
    job_id     varchar(36) not null references jobs (id) on delete cascade,
    seq        bigint      not null,
    data       text        not null,
    created_at timestamp with time zone not null,
    primary key (job_id, seq)
);
