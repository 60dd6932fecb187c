#!/usr/bin/env bash
# The rkllm-gateway benchmark (issue 5; bench/README.md explains each measurement).
#   bench/run.sh             full run, about 10 minutes on a 2-core machine
#   bench/run.sh --smoke     tiny sizes, about a minute with the build: proves the bench still works (.ci/run runs
#                            it); the AOT cache of 6 trains meanwhile, and 6 has no floor row
#   bench/run.sh --startup   measurement 6 only, as in the full run (about 2 minutes after a build)
# Builds the jar, measures the floor in process, starts the packaged jar on a free loopback port with the bundled
# application.yml plus the overrides below, measures it as a real client, measures start-up and footprint in fresh
# JVMs, prints one table and writes bench/results/latest.json (smoke: smoke.json, startup: startup.json). Everything
# runs on this machine: note what else it runs (the load average is recorded).
# Measurement 6 starts the application the way the container image does (docker/Dockerfile): on the image's Java
# release, the packaged jar extracted, with an AOT cache that docker/train-aot-cache.sh trains once (not timed), and
# the image's JDK_JAVA_OPTIONS, both read from the Dockerfile. Plain java -jar of the packaged jar (on the default
# java, as the measurement instance of 2-5) is timed beside it, for information.
# Environment: BENCH_JVM_OPTS, JVM options for the plain java -jar starts: the measurement instance of 2-5 and the
# informational row of 6 (default: none, the JVM's own defaults). BENCH_IMAGE_JAVA, the java of the image's release
# (default: the first JDK of that release under /usr/lib/jvm).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=full
case "${1:-}" in
    "") ;;
    --smoke) mode=smoke ;;
    --startup) mode=startup ;;
    *) echo "usage: bench/run.sh [--smoke | --startup]" >&2; exit 2 ;;
esac
# Smoke: one repetition of everything, and the measurement instance's own start is 6's plain java -jar row.
if [[ $mode != smoke ]]; then
    floor_tokens=1000000 repetitions=3 idle_settle_s=5
else
    floor_tokens=100000 repetitions=1 idle_settle_s=1
fi
model=native-libs/models/tiny-sim.rkllm
# Overrides of the bundled application.yml for the measurement instance:
#  - max-new-tokens -1: the bundled file caps a run at 1024 tokens, measurement 2 needs 200,000;
#  - max-sessions, idle-timeout, queue capacity and max-wait: room for every session the bench creates (100
#    concurrent runs, 50 queued sessions held for minutes) and no eviction while it measures;
#  - ws.max-pending-frames: the WebSocket row reads an unpaced run that outruns any socket; the bound that closes
#    a slow socket (1008) would end it, and the row counts lost chunks instead;
#  - chat.repetition-guard.repeats 0: the OpenAI and Ollama rows stream 100,000 tokens of the simulator's corpus,
#    which repeats itself, and the guard would end them early;
#  - replay-limit stays at its default (4096 chunks kept per session): every subscriber attaches while its session
#    is still queued, so each reads every chunk live and none relies on replay.
overrides=(--rkllm.model.max-new-tokens=-1 --rkllm.streams.max-sessions=6000 --rkllm.streams.idle-timeout=30m
    --rkllm.queue.capacity=128 --rkllm.queue.max-wait=30m --rkllm.ws.max-pending-frames=1000000
    --rkllm.chat.repetition-guard.repeats=0)
# The floors of 5 and 6 (bench/src/IdleFloor.java) read no configuration file, serve the readiness probe and stop
# as soon as the service does (the jar's application.yml).
idle_floor_args=(--spring.config.name=idle-floor --management.endpoint.health.probes.enabled=true
    --spring.reactor.netty.shutdown-quiet-period=0s)

work=$(mktemp -d /tmp/rkllm-bench.XXXXXX)
service_pid= image_layout_pid= fanout_floor_pid=
stop_service() {
    if [[ -n $service_pid ]] && kill -0 "$service_pid" 2>/dev/null; then
        kill -TERM "$service_pid" 2>/dev/null || true
        for _ in $(seq 300); do kill -0 "$service_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$service_pid" 2>/dev/null || true
        wait "$service_pid" 2>/dev/null || true
    fi
    service_pid=
}
# The smoke run's background training is a process group of its own (set -m): killing the group stops its JVMs too.
trap '[[ -z $image_layout_pid ]] || kill -KILL -- "-$image_layout_pid" 2>/dev/null
    [[ -z $fanout_floor_pid ]] || kill -KILL "$fanout_floor_pid" 2>/dev/null; stop_service; rm -rf "$work"' EXIT
# 5,000 SSE sockets on each side of loopback.
ulimit -n "$(ulimit -Hn)"
started=$(date +%s)
section() { echo "== $* (at $(( $(date +%s) - started )) s)"; }
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)

# The image's JVM options (its ENV JDK_JAVA_OPTIONS), its Java release and a java of that release here, and where
# measurement 6 puts the extracted application.
image_jvm_opts=$(sed -n 's/^ENV JDK_JAVA_OPTIONS="\(.*\)"$/\1/p' docker/Dockerfile)
[[ -n $image_jvm_opts ]] || { echo "no ENV JDK_JAVA_OPTIONS=\"...\" line in docker/Dockerfile" >&2; exit 1; }
image_release=$(sed -n 's/^FROM eclipse-temurin:\([0-9]*\)-jre.* AS runtime$/\1/p' docker/Dockerfile)
[[ -n $image_release ]] \
    || { echo "no FROM eclipse-temurin:<release>-jre... AS runtime line in docker/Dockerfile" >&2; exit 1; }
image_java=${BENCH_IMAGE_JAVA:-}
if [[ -z $image_java ]]; then
    for home in /usr/lib/jvm/*/; do
        if grep -qs "^JAVA_VERSION=\"$image_release[.\"]" "$home/release"; then
            image_java=${home}bin/java
            break
        fi
    done
fi
if [[ -z $image_java || ! -x $image_java ]]; then
    echo "measurement 6 starts the application as the image does, on Java $image_release, and found no java of it" \
        "(BENCH_IMAGE_JAVA=${BENCH_IMAGE_JAVA:-}, or a JDK $image_release under /usr/lib/jvm)" >&2
    # The smoke run still proves the rest of the bench; the measuring runs must not report a start-up without it.
    [[ $mode == smoke ]] || exit 1
    echo "smoke run: measurement 6 as the image runs it is SKIPPED" >&2
    image_java=
fi
app="$work/app"

section "build"
if ! ./mvnw -B -ntp -q package dependency:build-classpath -DskipTests -Dmdep.includeScope=runtime \
        -Dmdep.outputFile="$work/classpath.txt" >"$work/build.log" 2>&1; then
    cat "$work/build.log" >&2
    exit 1
fi
jar=$(ls target/rkllm-gateway-*.jar)
classpath="$work/classes:$(cat "$work/classpath.txt"):target/classes"
javac -d "$work/classes" -cp "$classpath" bench/src/*.java
results="$work/results.txt"
# record: copies RESULT lines (and only those) from stdin to the results file, showing them.
record() { grep --line-buffered '^RESULT' | tee -a "$results"; }


# start_service LOG HOW ARGS...: starts the service from the repository root (bundled application.yml) on a free port
# that the service picks itself; sets service_pid, and port once Netty reports it. HOW is "jar" (java -jar of the
# packaged jar, with BENCH_JVM_OPTS), "image" (the image's java, the extracted jar with its AOT cache and the image's
# options), or one of the floors that start in its place: "idle-floor" (bench/src/IdleFloor.java on the service's
# runtime classpath without the service's classes, with BENCH_JVM_OPTS) or "image-floor" (IdleFloor as "image" runs
# the service, from prepare_image_floor).
start_service() {
    local log=$1 how=$2
    shift 2
    # The launch below opens the log in the background, so it may not exist yet when await_ready first reads it.
    : >"$log"
    if [[ $how == image || $how == image-floor ]]; then
        local main=$app/$(basename "$jar") cache=$app/app.aot
        if [[ $how == image-floor ]]; then
            main=$app/idle-floor.jar cache=$app/idle-floor.aot
            set -- "${idle_floor_args[@]}" "$@"
        fi
        # shellcheck disable=SC2086 # the options are a list
        "$image_java" $image_jvm_opts -XX:AOTCache="$cache" -jar "$main" \
            --server.port=0 --server.address=127.0.0.1 "$@" >"$log" 2>&1 &
    elif [[ $how == idle-floor ]]; then
        # shellcheck disable=SC2086 # BENCH_JVM_OPTS is a list of options
        java ${BENCH_JVM_OPTS:-} -cp "$work/classes:$(cat "$work/classpath.txt")" IdleFloor "${idle_floor_args[@]}" \
            --server.port=0 --server.address=127.0.0.1 "$@" >"$log" 2>&1 &
    else
        # shellcheck disable=SC2086 # BENCH_JVM_OPTS is a list of options
        java ${BENCH_JVM_OPTS:-} -jar "$jar" --server.port=0 --server.address=127.0.0.1 "$@" >"$log" 2>&1 &
    fi
    service_pid=$!
    port=
}

# prepare_image_layout: extracts the packaged jar as docker/Dockerfile does and trains its AOT cache with the image's
# java and options (docker/train-aot-cache.sh, the Dockerfile's own step; one start of the service, not timed).
prepare_image_layout() {
    java -Djarmode=tools -jar "$jar" extract --destination "$app" >"$work/extract.log" 2>&1 \
        || { cat "$work/extract.log" >&2; exit 1; }
    train_image_cache "$app/app.aot" "$app/$(basename "$jar")"
}

# prepare_image_floor: the same for 6's floor, after prepare_image_layout: IdleFloor as an application jar beside the
# service's (the packaged jar's manifest, so the same lib/ class path, with IdleFloor as its main class) and a cache
# of its own, trained the same way.
prepare_image_floor() {
    (cd "$work" && jar --extract --file "$app/$(basename "$jar")" META-INF/MANIFEST.MF)
    sed 's/^Main-Class: .*/Main-Class: IdleFloor/' "$work/META-INF/MANIFEST.MF" >"$work/idle-floor.mf"
    jar --create --file "$app/idle-floor.jar" --manifest "$work/idle-floor.mf" -C "$work/classes" IdleFloor.class
    train_image_cache "$app/idle-floor.aot" "$app/idle-floor.jar" "${idle_floor_args[@]}"
}

# train_image_cache CACHE JAR [ARG...]: docker/train-aot-cache.sh with the image's java and options.
train_image_cache() {
    PATH="$(dirname "$image_java"):$PATH" JDK_JAVA_OPTIONS="$image_jvm_opts" docker/train-aot-cache.sh "$@" \
        >"$work/train-aot-cache.log" 2>&1 || { cat "$work/train-aot-cache.log" >&2; exit 1; }
}

# is_ready: whether /actuator/health/readiness answers 200 (UP), asked over bash's /dev/tcp.
is_ready() {
    local status=
    exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
    printf 'GET /actuator/health/readiness HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
    read -r -t 2 status <&3 || true
    exec 3<&-
    [[ $status == "HTTP/1."?" 200"* ]]
}

# await_ready LOG: waits (120 s at most: the smoke run starts the service while an AOT cache trains) for readiness
# UP, polling every 10 ms.
await_ready() {
    local log=$1
    for _ in $(seq 12000); do
        if [[ -z $port ]]; then
            port=$(sed -n 's/.*Netty started on port \([0-9]*\).*/\1/p' "$log")
        fi
        if [[ -n $port ]] && is_ready 2>/dev/null; then
            return 0
        fi
        kill -0 "$service_pid" 2>/dev/null || break
        sleep 0.01
    done
    echo "the service did not become ready:" >&2
    tail -40 "$log" >&2
    return 1
}

# measure_start LOG HOW ARGS...: starts the service (measurement 6; HOW as for start_service): time from the launch
# to readiness UP, then VmRSS once it has been idle for a few seconds. The keys are startup.* for the image's way,
# startup.plain_jar.* for java -jar, startup.floor.* for the floor the image's way.
measure_start() {
    local log=$1 how=$2 key=startup t0
    [[ $how == jar ]] && key=startup.plain_jar
    [[ $how == image-floor ]] && key=startup.floor
    t0=$(date +%s%N)
    start_service "$@"
    await_ready "$log"
    echo "RESULT $key.ready_ms $(( ($(date +%s%N) - t0) / 1000000 ))" | record
    # A cache the JVM refused (another JDK, a changed jar, module options of its own) leaves a slow start that would
    # be reported as the image's; a JVM warning (e.g. JNA's native access) would be in every container's log.
    if [[ $how == image* ]] && grep -E '^\[[0-9.]+s\]\[(error|warning) *\]\[aot|^WARNING: ' "$log" >&2; then
        echo "measurement 6: the start as the image runs it printed the JVM messages above ($log)" >&2
        exit 1
    fi
    sleep "$idle_settle_s"
    echo "RESULT $key.idle_rss_mb $(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$service_pid/status")" \
        | record
}

# The smoke run trains the AOT cache of 6 while it measures 1-5, and leaves out 6's floor (a second cache and
# start): on 2 cores, with both caches trained after 1-5, it took 100 s. Its figures prove that every measurement
# still runs, not how fast anything is.
if [[ $mode == smoke && -n $image_java ]]; then
    set -m
    { prepare_image_layout; section "6: AOT cache trained (in the background)"; } &
    image_layout_pid=$!
    set +m
fi

# --startup: measurement 6 only.
if [[ $mode != startup ]]; then
    section "1 floor and bridge, 3 and 4 floors (in process, no HTTP), $floor_tokens tokens"
    for _ in $(seq $repetitions); do
        # bench_floor prints the best of its own 3 runs.
        target/native/bench_floor "$model" "$floor_tokens" 2> >(grep -v '^I rkllm' >&2) \
            | sed 's/^c_noop_tokens_per_second/RESULT floor.c_noop/' | record
    done
    java -cp "$classpath" Floor target/native/1.3/librkllmrt.so "$model" "$floor_tokens" "$repetitions" "$mode" \
        2> >(grep -v '^I rkllm' >&2) | record
    java -cp "$classpath" FanoutFloor "$mode" | record

    section "2-5, 7-9 the service over HTTP on loopback, the pace rows beside their floor (FanoutFloor serve)"
    # The pace rows' floor: a process of its own on the same JVM options as the service, measured by Service
    # alternately with it.
    # shellcheck disable=SC2086 # BENCH_JVM_OPTS is a list of options
    java ${BENCH_JVM_OPTS:-} -cp "$classpath" FanoutFloor serve >"$work/fanout-floor.log" 2>&1 &
    fanout_floor_pid=$! fanout_floor_port=
    for _ in $(seq 3000); do
        fanout_floor_port=$(sed -n 's/^floor listening on //p' "$work/fanout-floor.log")
        [[ -z $fanout_floor_port ]] || break
        sleep 0.01
    done
    [[ -n $fanout_floor_port ]] || { cat "$work/fanout-floor.log" >&2; exit 1; }
    if [[ $mode == full ]]; then
        start_service "$work/service.log" jar "${overrides[@]}"
        await_ready "$work/service.log"
    else
        measure_start "$work/service.log" jar "${overrides[@]}"
    fi
    java -cp "$classpath" Service "$port" "$service_pid" "$mode" "floor=$fanout_floor_port:$fanout_floor_pid" \
        | record || { tail -40 "$work/service.log" >&2; tail "$work/fanout-floor.log" >&2; exit 1; }
    stop_service
    kill -KILL "$fanout_floor_pid"
    wait "$fanout_floor_pid" 2>/dev/null || true
    fanout_floor_pid=

    section "5 and 8 floor: as many idle SSE connections to a bare WebFlux route (IdleFloor, no service)"
    start_service "$work/idle-floor.log" idle-floor
    await_ready "$work/idle-floor.log"
    java -cp "$classpath" Service "$port" "$service_pid" "$mode" idle-floor | record \
        || { tail -40 "$work/idle-floor.log" >&2; exit 1; }
    stop_service
fi

if [[ $mode == smoke ]]; then
    if [[ -n $image_java ]]; then
        section "6 start-up and idle RSS as the image runs it (AOT cache of Java $image_release trained meanwhile):" \
            "one start"
        wait "$image_layout_pid" || { echo "measurement 6: preparing the image's layout failed (its output is above)" >&2
            exit 1; }
        image_layout_pid=
        measure_start "$work/startup.log" image
        stop_service
    fi
else
    section "6 start-up and idle RSS, bundled application.yml: training the AOT caches (Java $image_release)"
    prepare_image_layout
    prepare_image_floor
    section "6 start-up and idle RSS: $repetitions fresh JVMs as the image runs them, each followed by one java -jar" \
        "and one start of the floor as the image would run it"
    for _ in $(seq $repetitions); do
        measure_start "$work/startup.log" image
        stop_service
        measure_start "$work/startup-jar.log" jar
        stop_service
        measure_start "$work/startup-floor.log" image-floor
        stop_service
    done
fi

mkdir -p bench/results
json=bench/results/latest.json
[[ $mode != full ]] && json=bench/results/$mode.json
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || commit="$commit (uncommitted changes)"
java -cp "$classpath" Report "$results" "$json" "mode=$mode" "commit=$commit" \
    "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)" "cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)" \
    "load_average_at_start=$load_at_start" "load_average_at_end=$(cut -d' ' -f1-3 /proc/loadavg)" \
    "service_jvm_options=${BENCH_JVM_OPTS:-}" "startup_image_jvm_options=$image_jvm_opts" \
    "startup_image_java=$([[ -n $image_java ]] && "$image_java" -version 2>&1 | head -1)" \
    "service_overrides=${overrides[*]}" \
    "runtime_s=$(( $(date +%s) - started ))"
echo "wrote $json ($(( $(date +%s) - started )) s)"
