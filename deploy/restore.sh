#!/usr/bin/env bash
# Restore a SATGAS backup made by deploy/backup.sh.
#
#   deploy/restore.sh BACKUP_DIR --yes [--database-url URL] [--private-root DIR]
#
# Target: DATABASE_URL and SATGAS_PRIVATE_ROOT from the environment unless given. The target
# database must exist (createdb first when restoring elsewhere); its SATGAS tables are dropped
# and replaced (pg_restore --clean --if-exists --no-owner, in one transaction: all or nothing).
# The private files are unpacked into the private root (created if missing); files with the
# same names are overwritten, others are left alone.
# Stop web, worker and beat first. The checksums are verified before anything is touched.
set -euo pipefail

usage() { echo "usage: $0 BACKUP_DIR --yes [--database-url URL] [--private-root DIR]" >&2; exit 2; }
[ $# -ge 1 ] || usage
dir="$1"; shift
confirmed=0
db_url="${DATABASE_URL:-}"
private_root="${SATGAS_PRIVATE_ROOT:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    --yes) confirmed=1 ;;
    --database-url) db_url="${2:?}"; shift ;;
    --private-root) private_root="${2:?}"; shift ;;
    *) usage ;;
  esac
  shift
done
[ -n "$db_url" ] || { echo "restore.sh: no target database (DATABASE_URL or --database-url)" >&2; exit 2; }
[ -n "$private_root" ] || { echo "restore.sh: no private files root (SATGAS_PRIVATE_ROOT or --private-root)" >&2; exit 2; }
for f in database.dump private.tar.gz MANIFEST SHA256SUMS; do
  [ -f "$dir/$f" ] || { echo "restore.sh: $dir/$f is missing: not a complete backup" >&2; exit 1; }
done

echo "Verifying checksums in $dir"
(cd "$dir" && sha256sum --check --strict --quiet SHA256SUMS) || {
  echo "restore.sh: checksum mismatch: the backup is damaged; nothing was restored" >&2; exit 1; }
gzip --test "$dir/private.tar.gz"
pg_restore --list "$dir/database.dump" > /dev/null

target_safe="$(printf '%s' "$db_url" | sed -E 's#(://[^:/@]*):[^@]*@#\1@#')"
echo "Backup:        $(grep '^created=' "$dir/MANIFEST" | cut -d= -f2-) from $(grep '^database=' "$dir/MANIFEST" | cut -d= -f2-)"
echo "Restore into:  $target_safe and $private_root"
[ "$confirmed" = 1 ] || { echo "restore.sh: add --yes to replace the data above" >&2; exit 2; }

pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction \
  --dbname="$db_url" "$dir/database.dump"
mkdir -p "$private_root"
tar --extract --gzip --file="$dir/private.tar.gz" --directory="$private_root"
echo "Restored. Run 'python manage.py migrate' if the code is newer than the backup, then start the services."
