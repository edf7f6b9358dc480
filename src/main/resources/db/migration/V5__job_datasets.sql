-- The datasets each job reads, so that deleting a dataset asks the jobs that use it by key rather than searching
-- their spec text. Filled from the spec of the jobs that are still queued or running, the only ones a delete waits
-- for.
create table job_datasets (
    job_id     varchar(36) not null references jobs (id) on delete cascade,
    dataset_id varchar(36) not null,
    primary key (job_id, dataset_id)
);
create index job_datasets_dataset on job_datasets (dataset_id);

insert into job_datasets (job_id, dataset_id)
select j.id, d.id from jobs j join datasets d on d.tenant_id = j.tenant_id
where j.state in ('QUEUED', 'RUNNING') and j.spec like '%"' || d.id || '"%';
