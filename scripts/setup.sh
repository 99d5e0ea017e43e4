#!/usr/bin/env bash
# One-time set-up on a fresh Debian/Ubuntu machine: system packages (fonts, PDF tools,
# Chromium for print checks), a Python virtual environment with exporter and its test
# tools, and the npm-installed checkers. Safe to run again; it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}

# --bench: also what the benchmarks in bench/ compare against (make bench); tests never need it
BENCH=0
for arg in "$@"; do
  case "$arg" in
    --bench) BENCH=1 ;;
    *) echo "setup: unknown option $arg (known: --bench)" >&2; exit 2 ;;
  esac
done

DEB_PACKAGES=(
  # WeasyPrint's libraries
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig
  # theme fonts (free licences) and fonts for every script the corpus uses
  fonts-sil-charis fonts-inter fonts-linuxlibertine fonts-dejavu-core fonts-stix
  fonts-noto-core fonts-noto-cjk fonts-hosny-amiri fonts-sil-ezra
  # PDF inspection used by tests and `exporter check`
  poppler-utils qpdf
  # Java for EPUBCheck and the Nu checker (a JDK: `exporter check` runs its EPUBCheck driver from source)
  openjdk-17-jdk-headless
  # browser print checks and DAISY Ace
  chromium
)
BENCH_DEB_PACKAGES=(
  # bench/run.py: exporter against pandoc (its PDF engine is the venv's weasyprint command)
  pandoc
)
if [ "$BENCH" -eq 1 ]; then DEB_PACKAGES+=("${BENCH_DEB_PACKAGES[@]}"); fi

missing=()
for pkg in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.exporter-installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing exporter and test tools into $VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
  "$VENV/bin/python" -m pip install -q -e ".[test]"
  touch "$stamp"
fi

if ! command -v npm >/dev/null 2>&1; then
  # the npm checkers (DAISY Ace, the Nu HTML Checker) need Node.js; Debian's will do
  echo "setup: installing Debian packages: nodejs npm"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null || true
fi
if command -v npm >/dev/null 2>&1; then
  if [ ! -d node_modules ] || [ package.json -nt node_modules ] || [ package-lock.json -nt node_modules ]; then
    echo "setup: installing npm checkers"
    PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null
    touch node_modules
  fi
else
  echo "setup: npm not found; the HTML checker and DAISY Ace cannot run" >&2
fi
echo "setup: ready"
