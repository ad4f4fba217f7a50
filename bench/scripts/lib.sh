# Shared by the bench scripts: build the class paths once, start/stop servers, wait for ports.
# Load only ever goes to 127.0.0.1; every server started here is killed on exit.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
JVM_FLAGS="$(sed -n 's:.*<funnel.jvm.flags>\(.*\)</funnel.jvm.flags>.*:\1:p' pom.xml)"
PIDS=()

cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
}
trap cleanup EXIT

build() {
  # compile (offline when possible) and write each module's runtime class path
  mvn -q -o -pl server,bench -am compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt \
    || mvn -q -pl server,bench -am compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
  SERVER_CP="server/target/classes:$(cat server/target/classpath.txt)"
  BENCH_CP="bench/target/classes:$(cat bench/target/classpath.txt)"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_http() { # url seconds
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    if curl -sf -o /dev/null --http2-prior-knowledge "$1"; then return 0; fi
    sleep 0.1
  done
  echo "timed out waiting for $1" >&2
  return 1
}

start_bg() { # log command... ; sets LAST_PID
  local log="$1"; shift
  "$@" >"$log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}

stop_pid() {
  kill "$1" 2>/dev/null
  wait "$1" 2>/dev/null
}

# Funnel in demo mode (sim world) with a DAG directory, h2c on $1, TLS on $2, extra env after.
start_funnel() { # http_port https_port dags_dir log [VAR=value...]
  local hp="$1" sp="$2" dags="$3" log="$4"; shift 4
  start_bg "$log" env FUNNEL_HTTP_HOST=127.0.0.1 FUNNEL_HTTP_PORT="$hp" FUNNEL_HTTPS_PORT="$sp" FUNNEL_DAGS_DIR="$dags" "$@" \
    java -Xms1g -Xmx2g $JVM_FLAGS -cp "$SERVER_CP" dev.funnel.server.FunnelMain demo
  FUNNEL_PID=$LAST_PID
  wait_http "http://127.0.0.1:$hp/health/ready" 120 || { tail -30 "$log"; exit 1; }
}

machine() {
  echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(java -version 2>&1 | head -1), $(date -u '+%Y-%m-%d %H:%M UTC')"
}
