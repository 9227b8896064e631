#!/usr/bin/env bash
# Runs once, when the PostgreSQL volume is first initialised (docker-entrypoint-initdb.d):
# one database and owner for Prefect, one for the scorecard app database, so neither
# service holds the superuser's password.
set -euo pipefail

create() {
  local db="$1" user="$2" password="$3"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
       -v db="$db" -v usr="$user" -v pw="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'usr', :'pw') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'usr') \gexec
SQL
}

create "$PREFECT_DB_NAME" "$PREFECT_DB_USER" "$PREFECT_DB_PASSWORD"
create "$SCORECARD_DB_NAME" "$SCORECARD_DB_USER" "$SCORECARD_DB_PASSWORD"
