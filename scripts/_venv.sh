# Sourced by scripts/run and scripts/test: a .venv with Trainbot installed (dev extras on request).
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Trainbot needs Python 3.11 or newer (tried '$PYTHON'; set PYTHON=/path/to/python3.11)." >&2
  exit 2
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${TRAINBOT_EXTRAS-[dev]}"
