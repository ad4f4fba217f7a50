# Shared by the bench scripts: build the class paths once, start/stop servers, wait for ports.
# Load only ever goes to 127.0.0.1; every server started here is killed on exit.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
JVM_FLAGS="$(sed -n 's:.*<funnel.jvm.flags>\(.*\)</funnel.jvm.flags>.*:\1:p' pom.xml)"
PIDS=()

cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

build() {
  # compile (offline when possible) and write each module's class path, with the repository's Maven
  # wrapper (Java 17 is the only prerequisite; no system mvn), from the root whatever the caller's cwd.
  # test-compile, not compile: the server's tests use the streams module's test jar, which the reactor
  # resolves (to its test classes) only once that module's tests are compiled.
  (cd "$ROOT" && ./mvnw -B -q -o -pl server,bench -am test-compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt) \
    || (cd "$ROOT" && ./mvnw -B -q -pl server,bench -am test-compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt)
  SERVER_CP="$ROOT/server/target/classes:$(cat "$ROOT/server/target/classpath.txt")"
  BENCH_CP="$ROOT/bench/target/classes:$(cat "$ROOT/bench/target/classpath.txt")"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# An unused port (the machine is shared: fixed ports collide with other people's servers).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_http() { # url seconds [json body to POST]
  local i end=$((SECONDS + $2))
  while ((SECONDS < end)); do
    if [[ -n "${3:-}" ]]; then
      curl -sf -o /dev/null --max-time 2 --http2-prior-knowledge -H 'content-type: application/json' -d "$3" "$1" && return 0
    else
      curl -sf -o /dev/null --max-time 2 --http2-prior-knowledge "$1" && return 0
    fi
    sleep 0.2
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
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# Funnel in demo mode (sim world) with a DAG directory, h2c on $1, TLS on $2, extra env after;
# returns once /health/ready says ready (catalog loaded, start-up warm-up done: FUNNEL_WARMUP_MS=0
# skips it) and a recommend for scene $5 answers 200.
start_funnel() { # http_port https_port dags_dir log scene [VAR=value...]
  local hp="$1" sp="$2" dags="$3" log="$4" scene="$5"; shift 5
  start_bg "$log" env FUNNEL_HTTP_HOST=127.0.0.1 FUNNEL_HTTP_PORT="$hp" FUNNEL_HTTPS_PORT="$sp" FUNNEL_DAGS_DIR="$dags" "$@" \
    java ${SERVER_HEAP:--Xms1g -Xmx2g} ${SERVER_JAVA_OPTS:-} $JVM_FLAGS -cp "$SERVER_CP" dev.funnel.server.FunnelMain demo
  FUNNEL_PID=$LAST_PID
  wait_http "http://127.0.0.1:$hp/health/ready" 240 || { grep -v '^\s*at ' "$log" | tail -30; exit 1; }
  wait_http "http://127.0.0.1:$hp/v1/recommend" 180 "{\"user_id\":\"u000001\",\"scene\":\"$scene\",\"count\":5}" \
    || { grep -v '^\s*at ' "$log" | tail -30; exit 1; }
}

machine() {
  echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(java -version 2>&1 | head -1), $(date -u '+%Y-%m-%d %H:%M UTC')"
}
