#!/usr/bin/env bash
# Installs what `npm start` and `npm test` need, and nothing that is already there.
# Idempotent: when everything is present it only checks versions (a few seconds).
# Facts behind each step: ../shared/TOOLCHAIN.md (what works on this machine kind).
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_PACK_VERSION=0.15.1
PY_WEBSOCKETS_VERSION=17.4
# The CLI must equal the wasm-bindgen crate pinned with `=X.Y.Z` in Cargo.toml.
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p; s/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' Cargo.toml | head -n 1)
[ -n "$WASM_BINDGEN_VERSION" ] || { echo "setup: no pinned wasm-bindgen (=X.Y.Z) in Cargo.toml" >&2; exit 1; }

export PATH="$HOME/.cargo/bin:$PATH"
started=$(date +%s)

# 1. The wasm32 target: not installed on a new machine.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "setup: adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 1b. The pinned nightly that builds the package's wasm, with the standard library's source
# (scripts/wasm-toolchain.sh says why). About 15 s and 90 MB, once.
. scripts/wasm-toolchain.sh
if ! rustup run "$WASM_TOOLCHAIN" rustc --print sysroot >/dev/null 2>&1 \
  || [ ! -d "$(rustup run "$WASM_TOOLCHAIN" rustc --print sysroot)/lib/rustlib/src/rust/library" ]; then
  echo "setup: installing Rust $WASM_TOOLCHAIN with rust-src (builds the package's wasm)"
  rustup toolchain install "$WASM_TOOLCHAIN" --profile minimal --component rust-src
fi

# 2. wasm-bindgen-cli and wasm-pack, from crates.io (prebuilt downloads fail here; --locked fails too).
install_crate() { # name binary version
  local have
  have=$("$2" --version 2>/dev/null | awk '{print $2}') || true
  if [ "$have" != "$3" ]; then
    echo "setup: installing $1 $3 (found: ${have:-none}); this takes a few minutes once"
    cargo install "$1" --version "$3" --force
  fi
}
# The two installs run in the background while the system packages install. If this script
# ends before waiting for them (a later step fails, or it is interrupted), they are stopped
# with every process they started: nothing keeps compiling after setup has exited.
killed=()
kill_tree() { # pid: the process and all its descendants, children first
  local child
  for child in $(pgrep -P "$1" 2>/dev/null); do kill_tree "$child"; done
  kill "$1" 2>/dev/null && killed+=("$1")
  return 0
}
background=()
stop_background() {
  local pid left _
  for pid in "${background[@]}"; do kill_tree "$pid"; done
  # A signal is sent at once but taken when the process next runs: wait (2 s at most) until
  # every process signalled has ended (a zombie has), so none outlives this script.
  for _ in $(seq 20); do
    left=0
    for pid in "${killed[@]}"; do
      if kill -0 "$pid" 2>/dev/null && [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" != Z ]; then
        left=1
      fi
    done
    [ "$left" = 0 ] && break
    sleep 0.1
  done
}
trap stop_background EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
install_crate wasm-bindgen-cli wasm-bindgen "$WASM_BINDGEN_VERSION" &
bindgen_pid=$!
background+=("$bindgen_pid")
install_crate wasm-pack wasm-pack "$WASM_PACK_VERSION" &
pack_pid=$!
background+=("$pack_pid")

# 3. Debian's chromium and chromedriver (a tool's own browser download fails here).
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian's chromium and chromium-driver"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "setup: chromium and chromedriver are missing; as root run: apt-get install chromium chromium-driver" >&2
    exit 1
  fi
fi

# 3b. Debian's tshark and tcpdump: the conversation tests record real traffic on loopback and
# take tshark's reading of it as the reference. tshark asks whether non-root users may capture;
# the answer is preseeded (no), so the install never waits for a question.
if ! command -v tshark >/dev/null || ! command -v tcpdump >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian's tshark and tcpdump"
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tshark tcpdump >/dev/null
  else
    echo "setup: tshark and tcpdump are missing; as root run: apt-get install tshark tcpdump" >&2
    exit 1
  fi
fi

# 3c. openssl: the proxy's wss:// tests (tests/proxy_tls.rs) make their certificates with it.
if ! command -v openssl >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian's openssl"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null
  else
    echo "setup: openssl is missing; as root run: apt-get install openssl" >&2
    exit 1
  fi
fi

# 4. node_modules, when missing or older than package-lock.json.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules ] || [ "$(cat node_modules/.lock-hash 2>/dev/null)" != "$lock_hash" ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.lock-hash
fi

# 5. PyPI websockets, a peer for the server's interop tests and the recorded conversations
# (npm ws, the other peer, is a devDependency).
if ! python3 -c "import websockets" 2>/dev/null; then
  echo "setup: pip install websockets"
  python3 -m pip install --quiet --disable-pip-version-check "websockets==$PY_WEBSOCKETS_VERSION"
fi

wait "$bindgen_pid"
wait "$pack_pid"
background=()
echo "setup: ready in $(( $(date +%s) - started )) s"
