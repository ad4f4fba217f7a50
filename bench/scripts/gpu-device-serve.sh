#!/bin/bash
# Runs on the lent GPU machine after gpu-device-run.sh's folders (SERVE=1 gpu-device-pack.sh adds
# .gpu/d, the server jar): the README's GPU command — FUNNEL_MODEL_BACKEND=ort-cuda
# FUNNEL_JAVA_OPTS=-Donnxruntime.native.path=DIR bin/funnel demo — then an open-model sweep against
# it (OpenLoopDriver, p99 ≤ 20 ms), then the same sweep against the demo on ort-cpu, for that host's
# CPU beside it. G (default /root/g): where the folders were unpacked; BACKENDS (default
# "ort-cuda ort-cpu"); SWEEP (default 1000:8000:1000); CONNECTIONS (default 64: an HTTP/2 connection
# stays on one event loop, so a few connections load a few of a 16-core server's loops only).
set -u
BACKENDS=${BACKENDS:-ort-cuda ort-cpu}
CONNECTIONS=${CONNECTIONS:-64}
SWEEP=${SWEEP:-1000:8000:1000}
. "$(dirname "$0")/gpu-device-env.sh"
mkdir -p "$REPO/server/target" && cp "$G/funnel.jar" "$REPO/server/target/funnel.jar" && touch "$REPO/server/target/funnel.jar"
CP="$G/cp/bench-classes:$(ls $G/cp/lib/*.jar | tr '\n' ':')"
serve_and_sweep() { # backend
  rm -rf /tmp/funnel-demo-streams*
  (cd "$REPO" && FUNNEL_MODEL_BACKEND=$1 FUNNEL_JAVA_OPTS="-Donnxruntime.native.path=$G/ort" bin/funnel demo > "$OUT/server-$1.log" 2>&1 &)
  for i in $(seq 1 60); do sleep 2; curl -sf localhost:8080/health/ready >/dev/null && break; done
  echo "== $1: ready after ~$((i * 2)) s"; grep -i -E "backend|fall" "$OUT/server-$1.log" | head -5
  curl -s --http2-prior-knowledge http://localhost:8080/v1/recommend -d '{"user_id":"u000042","scene":"home","count":3}'; echo
  timeout 200 java -Xmx1g -cp "$CP" dev.funnel.bench.e2e.OpenLoopDriver --url http://127.0.0.1:8080/v1/recommend --scene home \
    --sweep "$SWEEP" --step-seconds 8 --warmup-seconds 2 --p99-millis 20 --driver-warmup-seconds 5 --connections "$CONNECTIONS" 2>&1 | grep -v SLF4J
  curl -s localhost:8080/metrics | grep -E '^funnel_model_backend|^funnel_batcher_batch_rows_(sum|count)|^funnel_admission_rejected_total'
  pkill -f funnel.jar; sleep 3
}
for b in $BACKENDS; do serve_and_sweep "$b"; done
