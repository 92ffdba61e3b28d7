#!/usr/bin/env bash
# Back up SATGAS: the PostgreSQL database and the private files, together.
#
#   deploy/backup.sh [BACKUP_ROOT]        (default: $SATGAS_BACKUP_ROOT or var/backups)
#
# Reads DATABASE_URL and SATGAS_PRIVATE_ROOT from the environment (source the production
# environment first, e.g. `set -a; . /etc/satgas/satgas.env; set +a`). Needs pg_dump of the
# server's major version, tar, gzip and sha256sum; no Python, so it also runs in the postgres
# image (docker compose --profile tools run --rm backup).
#
# Writes BACKUP_ROOT/satgas-YYYYmmdd-HHMMSS/ with
#   database.dump     pg_dump custom format (everything stored in the database: cases, signatures,
#                     audit trail, import files, generated report PDFs kept in the database)
#   private.tar.gz    the private files root (evidence, scans, materials, attachments)
#   MANIFEST          what, when, from where
#   SHA256SUMS        checksums of the three files above; restore.sh verifies them first
# The directory appears under its final name only when complete. The database is dumped
# first: private files are written before the row that points at them commits, so every file
# the dump refers to is already on disk when the archive is made.
# SATGAS_BACKUP_KEEP=N keeps only the N newest backups in BACKUP_ROOT (default: keep all).
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL must be set (postgres://...)}"
: "${SATGAS_PRIVATE_ROOT:?SATGAS_PRIVATE_ROOT must be set}"
ROOT="${1:-${SATGAS_BACKUP_ROOT:-var/backups}}"
KEEP="${SATGAS_BACKUP_KEEP:-0}"
case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "backup.sh: DATABASE_URL is not PostgreSQL; copy the SQLite file instead." >&2; exit 2 ;;
esac
[ -d "$SATGAS_PRIVATE_ROOT" ] || { echo "backup.sh: $SATGAS_PRIVATE_ROOT does not exist" >&2; exit 2; }

umask 077
mkdir -p "$ROOT"
name="satgas-$(date +%Y%m%d-%H%M%S)"
tmp="$ROOT/.partial-$name"
rm -rf "$tmp"
mkdir "$tmp"
trap 'rm -rf "$tmp"' EXIT

pg_dump --format=custom --compress=6 --file="$tmp/database.dump" --dbname="$DATABASE_URL"
tar --create --gzip --file="$tmp/private.tar.gz" --directory="$SATGAS_PRIVATE_ROOT" .

# The URL without its password.
db_safe="$(printf '%s' "$DATABASE_URL" | sed -E 's#(://[^:/@]*):[^@]*@#\1@#')"
{
  echo "format=satgas-backup-1"
  echo "created=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host=$(hostname)"
  echo "database=$db_safe"
  echo "server_version=$(psql --no-psqlrc --tuples-only --no-align --dbname="$DATABASE_URL" -c 'SHOW server_version' 2>/dev/null || echo unknown)"
  echo "pg_dump=$(pg_dump --version)"
  echo "private_root=$SATGAS_PRIVATE_ROOT"
  echo "private_files=$(find "$SATGAS_PRIVATE_ROOT" -type f | wc -l | tr -d ' ')"
  echo "database_bytes=$(wc -c < "$tmp/database.dump" | tr -d ' ')"
  echo "private_bytes=$(wc -c < "$tmp/private.tar.gz" | tr -d ' ')"
} > "$tmp/MANIFEST"
(cd "$tmp" && sha256sum database.dump private.tar.gz MANIFEST > SHA256SUMS)

mv "$tmp" "$ROOT/$name"
trap - EXIT
echo "$ROOT/$name"

if [ "$KEEP" -gt 0 ] 2>/dev/null; then
  # Names sort by time; remove all but the newest KEEP complete backups.
  find "$ROOT" -mindepth 1 -maxdepth 1 -type d -name 'satgas-*' | sort | head -n "-$KEEP" | while read -r old; do
    rm -rf -- "$old"
    echo "removed old backup $old" >&2
  done
fi
