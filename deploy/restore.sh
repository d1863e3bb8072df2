#!/usr/bin/env bash
# Restore a backup into a NEW, empty database, and print its row counts to check.
#
#   deploy/restore.sh /var/backups/longsheng-care/longsheng-20260604-023000.dump longsheng_restore
#   deploy/restore.sh /var/backups/longsheng-care/longsheng-20260604-023000.sqlite3 /srv/restore.sqlite3
#
# PostgreSQL: creates the database NAME (owned by the portal's database user) and restores
# into it; it refuses if NAME already exists. The live database is never touched: after
# checking the figures, stop the portal, point DATABASE_URL at the restored database in
# /etc/longsheng-care/env and start it again (or rename the databases).
set -euo pipefail
umask 077

if [[ $# -ne 2 ]]; then
  echo "usage: $0 BACKUP_FILE NEW_DATABASE_NAME_OR_SQLITE_PATH" >&2
  exit 2
fi
backup="$1"
target="$2"
APP_DIR="${APP_DIR:-$(cd "$(dirname "$0")/.." && pwd)}"
PYTHON="${PYTHON:-$APP_DIR/.venv/bin/python}"
cd "$APP_DIR"

if head -c 5 "$backup" | grep -q '^PGDMP'; then
  # Connection details from DATABASE_URL, with only the database name changed.
  url="$("$PYTHON" - "$target" <<'PY'
import os, sys
from urllib.parse import urlsplit, urlunsplit
parts = urlsplit(os.environ["DATABASE_URL"])
print(urlunsplit(parts._replace(path="/" + sys.argv[1])))
PY
)"
  admin_url="$("$PYTHON" - <<'PY'
import os
from urllib.parse import urlsplit, urlunsplit
parts = urlsplit(os.environ["DATABASE_URL"])
print(urlunsplit(parts._replace(path="/postgres")))
PY
)"
  psql "$admin_url" -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$target\""
  "$PYTHON" manage.py restore "$backup" --database-url "$url"
else
  "$PYTHON" manage.py restore "$backup" --database-url "sqlite:///$(realpath -m "$target")"
fi
