#!/usr/bin/env bash
# Funnel's HTTP/2 path against its ceiling, in one run: h2load drives a raw Vert.x server that
# answers a fixed body (dev.funnel.bench.ceiling.CeilingServer), then Funnel serving a trivial DAG
# (bench/scripts/dags-trivial: one cheap recall), with the same requests, connections and streams,
# and prints both rates and the ratio (target: Funnel >= 0.7x the ceiling).
#
#   bench/scripts/ceiling.sh            # defaults: -c8 -m10, 20 s JIT warm-up each, then 4 alternating rounds of 5 s warm-up + 10 s measured, h2c
#   SECONDS_MEASURED=30 CONNECTIONS=16 STREAMS=10 bench/scripts/ceiling.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"

CONNECTIONS=${CONNECTIONS:-8}
STREAMS=${STREAMS:-10}
WARMUP=${WARMUP:-5}
SECONDS_MEASURED=${SECONDS_MEASURED:-10}
ROUNDS=${ROUNDS:-4}
JIT_WARMUP=${JIT_WARMUP:-20}
CEILING_PORT=${CEILING_PORT:-$(free_port)}
FUNNEL_PORT=${FUNNEL_PORT:-$(free_port)}
FUNNEL_TLS_PORT=${FUNNEL_TLS_PORT:-$(free_port)}
command -v h2load >/dev/null || { echo "h2load missing: apt-get install -y nghttp2-client" >&2; exit 1; }
for p in "$CEILING_PORT" "$FUNNEL_PORT" "$FUNNEL_TLS_PORT"; do port_free "$p" || { echo "port $p is busy" >&2; exit 1; }; done

build
BODY=$(mktemp)
echo '{"user_id":"u000042","scene":"trivial","count":3}' >"$BODY"

drive() { # url -> prints req/s of the measured run
  h2load -c"$CONNECTIONS" -m"$STREAMS" -D "$WARMUP" -d "$BODY" -H 'content-type: application/json' "$1" >/dev/null 2>&1 || true
  local out
  out=$(h2load -c"$CONNECTIONS" -m"$STREAMS" -D "$SECONDS_MEASURED" -d "$BODY" -H 'content-type: application/json' "$1" 2>&1)
  echo "$out" | grep -E "^(finished|requests|status codes|time for request)" >&2
  local ok
  ok=$(echo "$out" | sed -n 's/^status codes: \([0-9]*\) 2xx.*/\1/p')
  awk -v n="$ok" -v s="$SECONDS_MEASURED" 'BEGIN { printf "%.0f", n / s }'
}

machine
start_bg /tmp/funnel-ceiling.log java -Xms512m -Xmx512m -cp "$BENCH_CP" dev.funnel.bench.ceiling.CeilingServer --port "$CEILING_PORT"
wait_http "http://127.0.0.1:$CEILING_PORT/" 30
start_funnel "$FUNNEL_PORT" "$FUNNEL_TLS_PORT" "$ROOT/bench/scripts/dags-trivial" /tmp/funnel-ceiling-funnel.log trivial
echo "ceiling answers: $(curl -s --http2-prior-knowledge -d @"$BODY" "http://127.0.0.1:$CEILING_PORT/v1/recommend" | head -c 160)"
echo "funnel answers:  $(curl -s --http2-prior-knowledge -H 'content-type: application/json' -d @"$BODY" "http://127.0.0.1:$FUNNEL_PORT/v1/recommend" | head -c 160)"

# Both servers stay up; the measurements alternate (ceiling, funnel, ceiling, ...) so that drift in
# what else the machine is doing hits both alike. Each server waits idle while the other is driven.
# JIT: both servers get JIT_WARMUP seconds of the same load before the first round.
for url in "http://127.0.0.1:$CEILING_PORT/v1/recommend" "http://127.0.0.1:$FUNNEL_PORT/v1/recommend"; do
  h2load -c"$CONNECTIONS" -m"$STREAMS" -D "$JIT_WARMUP" -d "$BODY" -H 'content-type: application/json' "$url" >/dev/null 2>&1 || true
done
RATIOS=()
for ((r = 1; r <= ROUNDS; r++)); do
  echo "== round $r: ceiling (raw Vert.x h2c, fixed body)"
  C=$(drive "http://127.0.0.1:$CEILING_PORT/v1/recommend")
  echo "== round $r: funnel (trivial DAG: recall.hot limit 3, demo world)"
  F=$(drive "http://127.0.0.1:$FUNNEL_PORT/v1/recommend")
  RATIO=$(awk -v c="$C" -v f="$F" 'BEGIN { printf "%.2f", f / c }')
  RATIOS+=("$RATIO")
  echo "round $r: ceiling $C req/s, funnel $F req/s, ratio ${RATIO}x"
done
echo "h2load -c$CONNECTIONS -m$STREAMS, ${SECONDS_MEASURED}s each after ${WARMUP}s warm-up, 2xx only, $ROUNDS alternating rounds"
MEDIAN=$(printf '%s\n' "${RATIOS[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
echo "ratios: ${RATIOS[*]}; median ${MEDIAN}x (target >= 0.70x)"
