#!/usr/bin/env bash
# Nightly backup of the Longsheng Care database (run by longsheng-care-backup.service).
#
#   deploy/backup.sh            # one backup now, then prune old ones
#
# Environment (from /etc/longsheng-care/env):
#   BACKUP_DIR         where backups go (default /var/backups/longsheng-care), mode 0700
#   BACKUP_KEEP_DAYS   how many days of nightly backups to keep (default 30)
#   BACKUP_COPY_DIR    optional second place (another disk, a mounted share) to copy each
#                      backup to; a backup on the same disk as the database is not enough
set -euo pipefail
umask 077

APP_DIR="${APP_DIR:-$(cd "$(dirname "$0")/.." && pwd)}"
PYTHON="${PYTHON:-$APP_DIR/.venv/bin/python}"
BACKUP_DIR="${BACKUP_DIR:-/var/backups/longsheng-care}"
BACKUP_KEEP_DAYS="${BACKUP_KEEP_DAYS:-30}"
export BACKUP_DIR

mkdir -p "$BACKUP_DIR"
chmod 700 "$BACKUP_DIR"
cd "$APP_DIR"

case "${DATABASE_URL:-sqlite}" in
  postgres*) suffix=dump ;;
  *) suffix=sqlite3 ;;
esac
file="$BACKUP_DIR/longsheng-$(date +%Y%m%d-%H%M%S).$suffix"

"$PYTHON" manage.py backup -o "$file"

if [[ -n "${BACKUP_COPY_DIR:-}" ]]; then
  mkdir -p "$BACKUP_COPY_DIR"
  cp --preserve=mode,timestamps "$file" "$BACKUP_COPY_DIR/"
  find "$BACKUP_COPY_DIR" -maxdepth 1 -name 'longsheng-*' -type f -mtime +"$BACKUP_KEEP_DAYS" -delete
fi

# Keep the last BACKUP_KEEP_DAYS days; never delete the backup just made.
find "$BACKUP_DIR" -maxdepth 1 -name 'longsheng-*' -type f -mtime +"$BACKUP_KEEP_DAYS" \
  ! -path "$file" -delete
echo "backup ok: $file"
