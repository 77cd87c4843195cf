#!/usr/bin/env bash
# The login roles of the compose stack (docs/operations.md "Row-level security"), run by the
# postgres image as POSTGRES_USER (a superuser) when the data volume is first initialised:
#   chancetap_app    — web, workers, beat, bot (DATABASE_URL); row-level security binds it
#   chancetap_backup — pg_dump (BACKUP_DATABASE_URL); BYPASSRLS, read-only
# The migrations grant their privileges. Idempotent: on a volume initialised before this script
# existed, run it once by hand: `docker compose exec postgres /docker-entrypoint-initdb.d/10-app-roles.sh`
set -euo pipefail

: "${APP_DB_PASSWORD:?set APP_DB_PASSWORD in .env}"
: "${BACKUP_DB_PASSWORD:?set BACKUP_DB_PASSWORD in .env}"

psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
    -v app_password="$APP_DB_PASSWORD" -v backup_password="$BACKUP_DB_PASSWORD" <<'SQL'
SELECT 'CREATE ROLE chancetap_app NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS'
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chancetap_app') \gexec
SELECT 'CREATE ROLE chancetap_backup NOSUPERUSER NOCREATEDB NOCREATEROLE BYPASSRLS'
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chancetap_backup') \gexec
SELECT format('ALTER ROLE chancetap_app LOGIN NOBYPASSRLS PASSWORD %L', :'app_password') \gexec
SELECT format('ALTER ROLE chancetap_backup LOGIN BYPASSRLS PASSWORD %L', :'backup_password') \gexec
SQL
