#!/usr/bin/env bash
# A cold start under load: Funnel demo (home_feed) starts, warms up for WARMUP_MS (default: the
# server's own default; 0 = no warm-up), reports ready, then takes RATE req/s (default 500) of scene
# home for 30 s with a per-second timeline. The driver first warms its own JIT with PRIME requests
# to a scene the server does not route (400s), so the timeline shows the server's cold start, not
# the load generator's.
#
#   bench/scripts/cold-start.sh
#   WARMUP_MS=0 bench/scripts/cold-start.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
RATE=${RATE:-500}
HTTP_PORT=$(free_port)
HTTPS_PORT=$(free_port)
build
machine
start_funnel "$HTTP_PORT" "$HTTPS_PORT" "$ROOT/dag-configs" /tmp/funnel-cold-start.log home \
  FUNNEL_TRAINER_EMBEDDED=false ${WARMUP_MS:+FUNNEL_WARMUP_MS=$WARMUP_MS}
grep -h "warm-up done" /tmp/funnel-cold-start.log | sed 's/.*WarmUp - //' || echo "no warm-up"
java -Xms256m -Xmx512m -XX:+UseSerialGC -cp "$BENCH_CP" dev.funnel.bench.e2e.OpenLoopDriver \
  --url "http://127.0.0.1:$HTTP_PORT/v1/recommend" --scene home --prime-requests "${PRIME:-20000}" --prime-scene none \
  --phases "${RATE}x30:cold" --timeline 2>&1 | grep -v '^SLF4J'
curl -s "http://127.0.0.1:$HTTP_PORT/metrics" | grep -E '^funnel_admission_rejected_total|^funnel_warmup' || true
