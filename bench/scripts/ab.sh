#!/usr/bin/env bash
# Two settings of one bench script compared in ABBA order: A B B A, ROUNDS times. This VM's speed
# drifts by more than 10% within minutes; runs in A B A B order put a steady drift on one arm and
# have shown a 3-16% "saving" that an ABBA run then showed to be nothing (BENCHMARKS.md, "Transparent
# huge pages for the heap: tried, not shown"). Prints each run's summary lines (PATTERN) and, for
# scripts that report it (steady.sh), the mean server CPU per served request of each arm.
#
#   A='SERVER_JAVA_OPTS=' B='SERVER_JAVA_OPTS=-XX:+UseTransparentHugePages' bench/scripts/ab.sh steady.sh
#   A='FUNNEL_ADMISSION_MAX=128' B='FUNNEL_ADMISSION_MAX=8' RATE=600 ROUNDS=2 bench/scripts/ab.sh steady.sh
#   A='SERVER_JAVA_OPTS=' B='SERVER_JAVA_OPTS=-XX:+UseShenandoahGC' SUSTAINABLE=500 STEPS=overload \
#     PATTERN='^(before|overload-2x|after) ' bench/scripts/ab.sh e2e.sh
#
# A and B are space-separated VAR=value assignments for the script's environment (empty values allowed).
set -euo pipefail
SCRIPT=${1:?usage: A='VAR=x' B='VAR=y' bench/scripts/ab.sh <script in bench/scripts> [args...]}
shift
DIR="$(cd "$(dirname "$0")" && pwd)"
[[ -f "$DIR/$SCRIPT" ]] || { echo "no script $DIR/$SCRIPT" >&2; exit 1; }
ROUNDS=${ROUNDS:-1}
PATTERN=${PATTERN:-'^steady |^server CPU|^step@|^sustainable|^(before|overload-2x|after) |^ratios'}
declare -A CPU_SUM=([A]=0 [B]=0) CPU_N=([A]=0 [B]=0)

run() { # arm
  local arm="$1" settings out cpu
  settings=${!arm}
  # The demo's temporary stream directories: one run's leftovers must not fill the disk.
  rm -rf /tmp/funnel-demo-streams* 2>/dev/null || true
  echo "=== arm $arm ($settings) $(date -u +%T)"
  # shellcheck disable=SC2086  # the settings are a list of assignments
  out=$(env $settings bash "$DIR/$SCRIPT" "$@" 2>&1) || { echo "$out" | tail -20; echo "arm $arm failed" >&2; exit 1; }
  echo "$out" | grep -E "$PATTERN" || true
  cpu=$(echo "$out" | sed -n 's/^server CPU: .*, \([0-9.]*\) ms per served request.*/\1/p' | tail -1)
  if [[ -n "$cpu" ]]; then
    CPU_SUM[$arm]=$(awk -v a="${CPU_SUM[$arm]}" -v b="$cpu" 'BEGIN { print a + b }')
    CPU_N[$arm]=$((CPU_N[$arm] + 1))
  fi
}

: "${A?set A to the first arm's settings, e.g. A='SERVER_JAVA_OPTS='}" "${B?set B to the second arm's settings}"
for ((r = 1; r <= ROUNDS; r++)); do
  for arm in A B B A; do
    run "$arm" "$@"
  done
done
if ((CPU_N[A] > 0 && CPU_N[B] > 0)); then
  awk -v sa="${CPU_SUM[A]}" -v na="${CPU_N[A]}" -v sb="${CPU_SUM[B]}" -v nb="${CPU_N[B]}" 'BEGIN {
    a = sa / na; b = sb / nb
    printf "server CPU per served request, mean of %d runs each: A %.3f ms, B %.3f ms (B/A %.3f)\n", na, a, b, b / a }'
fi
