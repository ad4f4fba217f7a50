#!/usr/bin/env bash
# One arrival rate held for a while against the demo server, with what it takes to explain its tail:
# a per-second timeline (wall-clock time, p99 and max per second, sheds), the server's CPU time per
# served request (from /proc, so other processes do not move it) and how much of it each cpu-heavy node and
# each model's batcher spent (the server's own CPU meters), and logs to line the bad seconds up
# with: the server's GC and safepoint log, the driver's GC log, vmstat and per-thread top, all in $OUT.
#
#   bench/scripts/steady.sh                         # 400 req/s for 40 s after 30 s at 200 (JIT) and 15 s at 400
#   RATE=300 SECONDS_HELD=60 bench/scripts/steady.sh
#   SERVER_JAVA_OPTS=-Dio.netty.transport.noNative=true bench/scripts/steady.sh   # the same on JDK NIO
#
# Two settings side by side: bench/scripts/ab.sh runs this script for both in ABBA order (A B A B
# puts this VM's drift on one arm). Two trees (say, a git worktree of the previous commit): run each
# one's copy of this script in that order by hand. Compare the CPU per request and the shed share
# more than the p99, which on this VM moves by 1.5x from run to run.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

RATE=${RATE:-400}
SECONDS_HELD=${SECONDS_HELD:-40}
SCENE=${SCENE:-home}
OUT=${OUT:-/tmp/funnel-steady}
mkdir -p "$OUT"
HTTP_PORT=$(free_port)
HTTPS_PORT=$(free_port)

build
SERVER_JAVA_OPTS="${SERVER_JAVA_OPTS:-} -Xlog:safepoint=info,gc=info:file=$OUT/server-gc.log:time,uptime" \
  start_funnel "$HTTP_PORT" "$HTTPS_PORT" "$ROOT/dag-configs" "$OUT/server.log" "$SCENE" FUNNEL_TRAINER_EMBEDDED=false
machine
echo "server: funnel demo, pid $FUNNEL_PID, $(grep -o '[a-z]* transport' "$OUT/server.log" | head -1)"
driver() { # driver JVM options in DRIVER_OPTS
  java -Xms256m -Xmx512m -XX:+UseSerialGC ${DRIVER_OPTS:-} -cp "$BENCH_CP" dev.funnel.bench.e2e.OpenLoopDriver \
    --url "http://127.0.0.1:$HTTP_PORT/v1/recommend" --scene "$SCENE" "$@" 2>&1 | grep -v '^SLF4J'
}
driver --phases "200x30:jit-warmup" >/dev/null
# Then SETTLE_SECONDS at RATE, not measured: the step up from 200/s compiles ~1,000 methods in its
# first seconds, and that transient would otherwise be most of the CPU and the tail measured.
# A scrape of /metrics under load first: the first one recompiles Netty's write path and the Prometheus writer
# (other receivers, larger bodies), a burst of deoptimizations and C2 work that would otherwise fall on the held
# phase's first seconds (the scrape just before it reads the meters).
( sleep 5; curl -sf --max-time 5 --http2-prior-knowledge "http://127.0.0.1:$HTTP_PORT/metrics" >/dev/null || true ) &
driver --phases "${RATE}x${SETTLE_SECONDS:-15}:settle" >/dev/null
wait $! || true

vmstat -t 1 >"$OUT/vmstat.log" &
PIDS+=($!)
top -b -H -d 1 -p "$FUNNEL_PID" >"$OUT/top.log" &
PIDS+=($!)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$FUNNEL_PID/stat"; }
# The server's own CPU meters (funnel_node_cpu_seconds_total per cpu-heavy node, funnel_batcher_cpu_seconds_total per
# model), read before and after the held phase: what one request spends in each, next to the process's total.
cpu_meters() { curl -sf --max-time 5 --http2-prior-knowledge "http://127.0.0.1:$HTTP_PORT/metrics" \
  | grep -E '^funnel_(node|batcher)_cpu_seconds_total' || true; }
cpu_meters >"$OUT/cpu-meters-before.txt"
T0=$(cpu_ticks)
HELD_FROM=$(date -u +%H:%M:%S.%N)
DRIVER_OPTS="-Xlog:gc:file=$OUT/driver-gc.log:time,uptime" driver --timeline --phases "${RATE}x${SECONDS_HELD}:steady" | tee "$OUT/timeline.txt"
T1=$(cpu_ticks)
HELD_TO=$(date -u +%H:%M:%S.%N)
cpu_meters >"$OUT/cpu-meters-after.txt"
SERVED=$(grep '^steady ' "$OUT/timeline.txt" | grep -o 'served=[0-9]*' | head -1 | cut -d= -f2)
CPU_S=$(awk -v t=$((T1 - T0)) -v hz="$(getconf CLK_TCK)" 'BEGIN { print t / hz }')
awk -v s="$CPU_S" -v n="$SERVED" 'BEGIN { printf "server CPU: %.1f s, %.3f ms per served request\n", s, 1000 * s / n }'
awk -v n="$SERVED" -v total_ms="$(awk -v s="$CPU_S" -v n="$SERVED" 'BEGIN { print 1000 * s / n }')" '
  FNR == NR { before[$1] = $2; next }
  { d = $2 - before[$1]; if (d <= 0) next
    name = $1; sub(/^funnel_/, "", name); sub(/_cpu_seconds_total/, "", name)
    us = 1e6 * d / n; sum += us; printf "  %-90s %8.1f us per request\n", name, us }
  END { if (sum > 0) printf "  metered: %.0f us of %.0f us per request (the rest: event loops, HTTP, GC, JIT, light nodes)\n", sum, 1000 * total_ms }
' "$OUT/cpu-meters-before.txt" "$OUT/cpu-meters-after.txt"
# What a request allocates, from the server's GC log: the heap grows by what was allocated between one
# young pause and the next (before_i - after_i-1), summed over the pauses inside the held phase and
# divided by the requests served in that span (the held rate times its length). Needs two pauses (and
# compares times of day: a held phase across midnight UTC finds none).
awk -v from="$HELD_FROM" -v to="$HELD_TO" -v n="$SERVED" -v held="$SECONDS_HELD" '
  function secs(hms,  p) { split(hms, p, ":"); return p[1] * 3600 + p[2] * 60 + p[3] }
  function mb(v,  u) { u = substr(v, length(v)); v = substr(v, 1, length(v) - 1)
    return u == "G" ? v * 1024 : u == "K" ? v / 1024 : v }
  /Pause Young/ && match($0, /[0-9.]+[KMG]->[0-9.]+[KMG]/) {
    t = secs(substr($1, 13, 12)); if (t < secs(from) || t > secs(to)) next
    split(substr($0, RSTART, RLENGTH), h, "->")
    if (pauses++) { allocated += mb(h[1]) - after; span = t - first } else first = t
    after = mb(h[2]) }
  END { if (pauses < 2 || span <= 0) { print "allocated: fewer than two young pauses in the held phase"; exit }
    printf "allocated: %.0f KB per served request (%.0f MB over %.1f s between %d young pauses)\n",
      1024 * allocated / (span * n / held), allocated, span, pauses }
' "$OUT/server-gc.log"
echo "logs: $OUT (server-gc.log, driver-gc.log, vmstat.log, top.log, server.log)"
