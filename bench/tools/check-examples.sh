#!/bin/sh
# Install, import and start every example in a throwaway container against the testenv index.
# Usage: bench/tools/check-examples.sh [example ...]
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
[ -n "${PYCONTAIN_TEST_INDEX_URL:-}" ] || eval "$(cat /var/cache/pycontain-testenv/env)"
exec docker run --rm --network host -e IDX="$PYCONTAIN_TEST_INDEX_URL" \
  -v "$here/examples:/examples:ro" -v "$here/bench/tools:/tools:ro" \
  "$PYCONTAIN_TEST_PYTHON_SLIM" sh -c \
  'apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends libpq5 libblas3 liblapack3 >/dev/null && python /tools/check_examples.py /examples "$@"' sh "$@"
