-- Which worker process ran (or runs) a job's latest attempt, for operators tracing a job across processes.
alter table jobs add column worker varchar(200);
