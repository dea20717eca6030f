-- One database per service. Run by the postgres image's entrypoint
-- (docker-entrypoint-initdb.d) on the first start with an empty data
-- volume, through psql as POSTGRES_USER, which becomes the owner.
--
-- Written with \gexec so that re-running it by hand is harmless:
--   psql -U amr -d postgres -f deploy/postgres/init.sql
-- (CREATE DATABASE cannot run inside a DO block or a transaction.)

SELECT format('CREATE DATABASE %I', db)
FROM unnest(ARRAY['registration', 'enforcement', 'ip_protection', 'legal_review']) AS db
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = db)
\gexec
