#!/usr/bin/env bash
# The cluster mode's bench (issue 23; bench/CLUSTER.md explains each row).
#   bench/cluster.sh            full run, about 2 minutes after the build on a 2-core machine
#   bench/cluster.sh --smoke    tiny sizes, under a minute after the build: proves the bench still works
# Builds the jar (BENCH_SKIP_BUILD=1: takes the target/rkllm-gateway-*.jar there is), starts Debian's redis-server
# on a free loopback port in a temporary directory, and gateways of the packaged jar on the simulator:
#   L  the local mode (no Redis): the emit -> client latency of the local path;
#   A  the cluster mode, alone: runs/s of one board;
#   B  the cluster mode beside A, its default model a copy of A's under another name: runs/s of two boards (runs
#      that name no model go to either board), and the latency of a run of A's model (so it runs on board A) read
#      by SSE on A and on B, whose reader gets every chunk through Redis.
# Prints one table with the targets and writes bench/results/cluster.json (smoke: cluster-smoke.json).
# Environment: BENCH_JVM_OPTS, JVM options of the gateways (default: none).
set -euo pipefail
cd "$(dirname "$0")/.."

case "$*" in
    "") mode=full ;;
    --smoke) mode=smoke ;;
    *) echo "usage: bench/cluster.sh [--smoke]" >&2; exit 2 ;;
esac
redis_server=/usr/bin/redis-server
[[ -x $redis_server ]] || { echo "$redis_server is missing (apt-get install redis-server)" >&2; exit 1; }
model=native-libs/models/tiny-sim.rkllm
# Overrides of the bundled application.yml, for every gateway: room for every run the bench sends at once (one
# client, so no per-client bound), no cap on a holder run's tokens, no eviction while it measures.
overrides=(--server.address=127.0.0.1 --rkllm.model.max-new-tokens=-1 --rkllm.queue.capacity=128
    --rkllm.queue.max-wait=30m --rkllm.limits.max-queued-per-client=0 --rkllm.streams.idle-timeout=30m)

work=$(mktemp -d /tmp/rkllm-cluster-bench.XXXXXX)
pids=()
# stop PID: SIGTERM (a gateway's graceful shutdown), SIGKILL after 30 s.
stop() {
    kill -TERM "$1" 2>/dev/null || return 0
    for _ in $(seq 300); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
# The gateways first, Redis last, so that none of them sees Redis go away.
cleanup() {
    for (( i = ${#pids[@]} - 1; i >= 0; i-- )); do stop "${pids[i]}"; done
    rm -rf "$work"
}
trap cleanup EXIT
started=$(date +%s)
# The machine's load average before each measurement goes into the JSON: other work on its cores moves the figures.
loads=()
section() {
    echo "== $* (at $(( $(date +%s) - started )) s, load average $(cut -d' ' -f1-3 /proc/loadavg))"
}
load_before() { loads+=("load_average_before_$1=$(cut -d' ' -f1-3 /proc/loadavg)"); }

section "build"
goals=(dependency:build-classpath)
[[ ${BENCH_SKIP_BUILD:-} == 1 ]] || goals=(package "${goals[@]}")
if ! ./mvnw -B -ntp -q "${goals[@]}" -DskipTests -Dmdep.outputFile="$work/classpath.txt" >"$work/build.log" 2>&1
then
    cat "$work/build.log" >&2
    exit 1
fi
jar=$(ls target/rkllm-gateway-*.jar)
javac -proc:none -d "$work/classes" -cp "$(cat "$work/classpath.txt")" -sourcepath bench/src bench/src/ClusterBench.java
bench() { java -cp "$work/classes" ClusterBench "$@"; }
results="$work/results.txt"
# record: copies RESULT lines (and only those) from stdin to the results file, showing them.
record() { grep --line-buffered '^RESULT' | tee -a "$results"; }

# gateway NAME ARGS...: starts the packaged jar on a free port with its log in $work/NAME.log; sets port.
gateway() {
    local name=$1
    shift
    port=$(bench free-port)
    # shellcheck disable=SC2086 # BENCH_JVM_OPTS is a list of options
    java ${BENCH_JVM_OPTS:-} -jar "$jar" --server.port="$port" "${overrides[@]}" "$@" >"$work/$name.log" 2>&1 &
    pids+=($!)
}
# await PORT BOARDS LOG: until the gateway is ready with BOARDS idle boards in its view (0: no cluster).
await() {
    bench await "$1" "$2" || { tail -40 "$3" >&2; exit 1; }
}

section "L: the local mode, emit -> client latency"
gateway local
local_port=$port
await "$local_port" 0 "$work/local.log"
load_before local_latency
bench latency "$mode" "$local_port" "local=$local_port" | record
stop "${pids[-1]}"
unset 'pids[-1]'

section "redis-server and gateway A: one board"
redis_port=$(bench free-port)
mkdir "$work/redis"
"$redis_server" --port "$redis_port" --bind 127.0.0.1 --dir "$work/redis" --save "" --appendonly no \
    --daemonize no --logfile redis.log &
pids+=($!)
cluster=(--rkllm.cluster.mode=redis --rkllm.cluster.redis-url="redis://127.0.0.1:$redis_port")
gateway a "${cluster[@]}" --rkllm.model-dir="$(dirname "$model")" --rkllm.model.model-path="$model"
a_port=$port
await "$a_port" 1 "$work/a.log"
load_before 1_board
bench throughput "$a_port" 1 "$mode" | record

section "gateway B: two boards"
mkdir "$work/models-b"
cp "$model" "$work/models-b/board-b.rkllm"
gateway b "${cluster[@]}" --rkllm.model-dir="$work/models-b" --rkllm.model.model-path="$work/models-b/board-b.rkllm"
b_port=$port
await "$a_port" 2 "$work/b.log"
load_before 2_board
bench throughput "$a_port" 2 "$mode" | record

section "emit -> client latency through the session log: a run on board A read on A and on B"
load_before cluster_latency
bench latency "$mode" "$a_port" "board_gateway=$a_port" "other_gateway=$b_port" | record

mkdir -p bench/results
json=bench/results/cluster.json
[[ $mode == smoke ]] && json=bench/results/cluster-smoke.json
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || commit="$commit (uncommitted changes)"
bench report "$results" "$json" "mode=$mode" "commit=$commit" "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    "cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)" "cores=$(nproc)" \
    "${loads[@]}" "load_average_at_end=$(cut -d' ' -f1-3 /proc/loadavg)" \
    "redis=$("$redis_server" --version)" "gateway_jvm_options=${BENCH_JVM_OPTS:-}" \
    "gateway_overrides=${overrides[*]}" "runtime_s=$(( $(date +%s) - started ))"
echo "wrote $json ($(( $(date +%s) - started )) s)"
