#!/usr/bin/env bash
# The PostgreSQL figures in one run: starts a private PostgreSQL 15 cluster on loopback (with
# .ci/postgres), runs `aerolith-bench postgres` against it from a release build, stops it.
#
#   bench/postgres.sh            (builds with `swift build -c release` first)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release >/dev/null
dir=$(mktemp -d /tmp/aerolith-bench-pg.XXXXXX)
chmod 755 "$dir"
trap '.ci/postgres stop "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
url=$(.ci/postgres start "$dir" | tail -1)
AEROLITH_BENCH_POSTGRES_URL=$url .build/release/aerolith-bench postgres
