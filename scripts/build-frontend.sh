#!/usr/bin/env bash
# Install the pinned front-end packages (frontend/package-lock.json) from the npm registry and copy
# their distribution files into the workspace's static folder. Nothing is fetched by browsers from a
# CDN: the files are served by the app itself (WhiteNoise), so CSP `script-src 'self'` holds.
# --ignore-scripts: package install scripts never run on the build machine.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FRONTEND="$ROOT/frontend"
VENDOR="$ROOT/src/kundenversteher/workspace/static/workspace/vendor"

command -v npm >/dev/null || { echo "build-frontend: npm is not installed" >&2; exit 1; }

(cd "$FRONTEND" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)

mkdir -p "$VENDOR"
# "source in node_modules" -> "name in vendor/"; the names stay version-free so templates do not
# change on an upgrade (the lock file pins the version).
copy() {
  local src="$FRONTEND/node_modules/$1" dest="$VENDOR/$2"
  [[ -f "$src" ]] || { echo "build-frontend: missing $src" >&2; exit 1; }
  install -m 0644 "$src" "$dest"
}
copy htmx.org/dist/htmx.min.js htmx.min.js
copy htmx-ext-ws/dist/ws.min.js htmx-ext-ws.min.js
# Licences travel with the copied files.
copy htmx.org/LICENSE htmx.LICENSE
copy htmx-ext-ws/LICENSE htmx-ext-ws.LICENSE

echo "build-frontend: vendor files in ${VENDOR#"$ROOT"/}: $(cd "$VENDOR" && ls | tr '\n' ' ')"
