# Sourced by bin/demo and bin/test: Node 24 on PATH and npm dependencies installed.
# Safe to run again: it only installs what is missing or out of date.
set -euo pipefail
HUB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$HUB_ROOT"
source bin/node24.sh

stamp=node_modules/.hub-install-stamp
if [ ! -f "$stamp" ] || [ package.json -nt "$stamp" ] || { [ -f package-lock.json ] && [ package-lock.json -nt "$stamp" ]; }; then
  echo "Installing npm dependencies..." >&2
  # `npm install`, not `npm ci`: some registry mirrors lack optional platform
  # packages that a lockfile records.
  npm install --no-audit --no-fund --loglevel=error >&2
  touch "$stamp"
fi
mkdir -p tmp
# A fresh clone has no .env: write one from the example with a random APP_KEY.
if [ ! -f .env ]; then
  key=$(node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))")
  sed "s|^APP_KEY=.*|APP_KEY=$key|" .env.example > .env
  echo "Wrote .env with a fresh APP_KEY" >&2
fi
# Routes import the generated controllers barrel; regenerate it from app/.
node ace codegen >/dev/null
