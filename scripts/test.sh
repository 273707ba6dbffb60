#!/usr/bin/env bash
# `make test`: the suite in TEST_JOBS shards at once (default: one per CPU, at most 4; tests/shards.py
# splits it). Shard 0 prints as it runs; the others print when they end. Exits non-zero when any
# shard fails. Usage: scripts/test.sh PYTHON [pytest args...]
set -uo pipefail
python=$1
shift
jobs=${TEST_JOBS:-$(nproc 2>/dev/null || echo 1)}
((jobs > 4)) && jobs=4
if ((jobs <= 1)); then
  exec "$python" -m pytest "$@"
fi
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
pids=()
for ((i = 1; i < jobs; i++)); do
  TEST_SHARD="$i/$jobs" "$python" -m pytest -p no:cacheprovider "$@" >"$logs/$i.log" 2>&1 &
  pids+=($!)
done
echo "running the suite in $jobs shards at once (TEST_JOBS=1 for one); shard 0 follows, the others print when they end"
TEST_SHARD="0/$jobs" "$python" -m pytest "$@"
codes=($?)
for ((i = 1; i < jobs; i++)); do
  wait "${pids[i - 1]}"
  codes+=($?)
  echo
  echo "=== shard $i/$jobs ==="
  cat "$logs/$i.log"
done
# 5 = no tests collected in a shard: fine as long as some shard ran tests
worst=0 all_empty=1
for code in "${codes[@]}"; do
  ((code != 5)) && all_empty=0
  ((code != 0 && code != 5 && worst == 0)) && worst=$code
done
echo
echo "shards: exit codes ${codes[*]}"
((all_empty)) && exit 5
exit "$worst"
