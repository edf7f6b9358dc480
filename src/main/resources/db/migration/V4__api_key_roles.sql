-- A key's role replaces the admin flag: tenant, admin, or metrics (reads /actuator/prometheus and nothing else).
alter table api_keys add column role varchar(16);
update api_keys set role = case when admin then 'admin' else 'tenant' end;
alter table api_keys alter column role set not null;
alter table api_keys drop column admin;
