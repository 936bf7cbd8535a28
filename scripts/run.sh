#!/usr/bin/env bash
# `make run`: prepare the embedded installation (SQLite in var/, database task queue) with demo data,
# then run the web server and one worker until Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."
KV=.venv/bin/kundenversteher

export KV_DATA_DIR="${KV_DATA_DIR:-$PWD/var}"
mkdir -p "$KV_DATA_DIR"
# A secret key generated once per installation and kept in the data folder.
if [ -z "${KV_SECRET_KEY:-}" ] && [ -z "${KV_SECRET_KEY_FILE:-}" ]; then
  if [ ! -s "$KV_DATA_DIR/secret_key" ]; then
    (umask 077; .venv/bin/python -c "import secrets; print(secrets.token_urlsafe(50))" > "$KV_DATA_DIR/secret_key")
  fi
  export KV_SECRET_KEY_FILE="$KV_DATA_DIR/secret_key"
fi
# The demo company signs automatic answers and invoice copies with its name.
export KV_COMPANY_NAME="${KV_COMPANY_NAME:-Brenner Wärmetechnik GmbH}"
HOST="${KV_HOST:-127.0.0.1}"
PORT="${KV_PORT:-8000}"

$KV migrate --noinput -v 0
$KV createcachetable
(cd src/kundenversteher && ../../$KV compilemessages -v 0)
$KV collectstatic --noinput -v 0
$KV demo --size small

$KV worker &
WORKER_PID=$!
trap 'kill $WORKER_PID 2>/dev/null || true' EXIT INT TERM

cat <<MSG

  Kundenversteher läuft: http://$HOST:$PORT/   (API-Dokumentation: http://$HOST:$PORT/api/docs)
  Demo-Zugänge siehe oben (Ausgabe von »kundenversteher demo«). Beenden mit Strg+C.

MSG
exec_status=0
$KV serve --host "$HOST" --port "$PORT" || exec_status=$?
exit $exec_status
