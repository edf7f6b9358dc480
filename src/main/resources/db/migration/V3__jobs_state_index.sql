-- The queue-depth gauge counts jobs by state across tenants; the tenant-first index cannot serve that count.
create index jobs_state on jobs (state);
