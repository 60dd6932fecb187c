#!/usr/bin/env bash
# The rkllm-gateway soak (issue 20; not in CI):  bench/soak.sh [MINUTES]   (default 30)
# Builds the jar (unless SOAK_SKIP_BUILD=1), starts it on a free loopback port with the bundled application.yml,
# three API keys and a short idle timeout, and lets bench/src/Soak.java drive it for MINUTES: six workers, each with
# a key, mixing every transport the service answers (JSON-RPC runs polled by session and by request id, SSE in the
# answer and at the tokenised stream_url, blocking runs, aborts, abrupt disconnects, bad requests; WebSocket, OpenAI
# and Ollama when those routes exist). Afterwards, once the idle timeout has passed: zero live sessions, thread count
# and heap after a full GC back near their start, the simulator's live allocations as at the start and 0 after
# rkllm_destroy, no 5xx answer (the Ollama API's 503 for a full queue, Ollama's own busy answer, counts as
# "busy"). Prints a table and writes bench/results/soak.json; exits 1 when a check fails.
# Needs: a JDK 17 (java, javac, jcmd), gdb to read the simulator's allocation counter (the row says n/a without it).
set -euo pipefail
cd "$(dirname "$0")/.."

minutes=${1:-30}
[[ $minutes =~ ^[0-9]+$ && $minutes -gt 0 ]] || { echo "usage: bench/soak.sh [MINUTES]" >&2; exit 2; }
workers=6
idle_timeout_s=10
keys=(soak-key-a-0123456789 soak-key-b-0123456789 soak-key-c-0123456789)
admin=soak-admin-0123456789

work=$(mktemp -d /tmp/rkllm-soak.XXXXXX)
pid=
stop() {
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap stop EXIT

if [[ ${SOAK_SKIP_BUILD:-0} != 1 ]]; then
    echo "== building the jar"
    ./mvnw -B -ntp -q package -DskipTests >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
fi
jar=$(ls target/rkllm-gateway-*.jar | grep -v -- '-plain' | head -1)
javac -d "$work/classes" bench/src/Soak.java

args=(--server.port=0 --server.address=127.0.0.1 --rkllm.admin-methods.enabled=true
    --rkllm.streams.idle-timeout=${idle_timeout_s}s --rkllm.streams.eviction-interval=2s)
for i in "${!keys[@]}"; do
    args+=("--rkllm.security.api-keys[$i].name=soak-$i" "--rkllm.security.api-keys[$i].key=${keys[$i]}")
done
args+=("--rkllm.security.api-keys[3].name=soak-admin" "--rkllm.security.api-keys[3].key=$admin"
    "--rkllm.security.api-keys[3].role=admin")
echo "== starting $jar"
java -jar "$jar" "${args[@]}" >"$work/service.log" 2>&1 &
pid=$!
port=
for _ in $(seq 600); do
    port=$(sed -n 's/.*Netty started on port \([0-9]*\).*/\1/p' "$work/service.log" | head -1)
    [[ -n $port ]] && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/service.log"; exit 1; }
    sleep 0.1
done
[[ -n $port ]] || { echo "the service did not start" >&2; exit 1; }
until curl -fs "http://127.0.0.1:$port/actuator/health/readiness" >/dev/null; do sleep 0.2; done

rpc() {  # rpc METHOD: the admin's JSON-RPC answer
    curl -s --json "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\"}" -H "x-api-key: $admin" \
        "http://127.0.0.1:$port/rpc"
}
heap_after_gc() {  # used heap in KiB after two full collections
    jcmd "$pid" GC.run >/dev/null && jcmd "$pid" GC.run >/dev/null
    jcmd "$pid" GC.heap_info | sed -n 's/.* used \([0-9]*\)K.*/\1/p' | head -1
}
threads() { sed -n 's/^Threads:\s*//p' "/proc/$pid/status"; }
rss() { sed -n 's/^VmRSS:\s*\([0-9]*\).*/\1/p' "/proc/$pid/status"; }
fds() { ls "/proc/$pid/fd" | wc -l; }
allocations() {  # the simulator's live allocations (rkllm_sim_live_allocations), or n/a
    if command -v gdb >/dev/null; then
        gdb -p "$pid" -batch -ex 'handle SIGSEGV nostop noprint pass' -ex 'handle SIGPIPE nostop noprint pass' \
            -ex 'print (long) rkllm_sim_live_allocations()' 2>/dev/null | sed -n 's/^\$1 = //p' | head -1
    fi
}

# A short warm-up, so that the start figures include what the first requests load once.
java -cp "$work/classes" Soak "$port" 5 2 "${keys[@]}" >/dev/null
sleep $((idle_timeout_s + 5))
start_heap=$(heap_after_gc) start_threads=$(threads) start_rss=$(rss) start_fds=$(fds)
start_alloc=$(allocations); start_alloc=${start_alloc:-n/a}

echo "== soaking for $minutes min ($workers workers, port $port)"
java -cp "$work/classes" Soak "$port" $((minutes * 60)) "$workers" "${keys[@]}" | tee "$work/soak.out"

echo "== waiting for the idle timeout ($idle_timeout_s s) to evict every session"
deadline=$((SECONDS + idle_timeout_s + 60))
until [[ $(rpc stream_manager_status | sed -n 's/.*"active_sessions":\([0-9]*\).*/\1/p') == 0 ]]; do
    [[ $SECONDS -lt $deadline ]] || break
    sleep 1
done
status=$(rpc stream_manager_status)
live=$(sed -n 's/.*"active_sessions":\([0-9]*\).*/\1/p' <<<"$status")
sleep 2
end_heap=$(heap_after_gc) end_threads=$(threads) end_rss=$(rss) end_fds=$(fds)
end_alloc=$(allocations); end_alloc=${end_alloc:-n/a}
rpc rkllm_destroy >/dev/null
destroyed_alloc=$(allocations); destroyed_alloc=${destroyed_alloc:-n/a}
server_errors=$(awk '$1 == "outcome" && $2 ~ /_5[0-9][0-9](_|$)/ {n += $3} END {print n + 0}' "$work/soak.out")
logged_errors=$(grep -c ' ERROR ' "$work/service.log" || true)
requests=$(awk '$1 == "outcome" {n += $3} END {print n + 0}' "$work/soak.out")

failed=0
row() {  # row NAME START END OK
    printf '| %-34s | %12s | %12s | %-4s |\n' "$1" "$2" "$3" "$4"
    [[ $4 == ok || $4 == - ]] || failed=1
}
judge() { if eval "$1"; then echo ok; else echo NO; fi; }
echo
printf '| %-34s | %12s | %12s | %-4s |\n' "soak: $minutes min, $requests client operations" start end ok?
echo "|------------------------------------|--------------|--------------|------|"
row "live sessions after idle timeout" - "$live" "$(judge "[[ $live == 0 ]]")"
row "heap after full GC (KiB)" "$start_heap" "$end_heap" "$(judge "(( end_heap <= start_heap + 16384 ))")"
row "threads" "$start_threads" "$end_threads" "$(judge "(( end_threads <= start_threads + 4 ))")"
row "open file descriptors" "$start_fds" "$end_fds" "$(judge "(( end_fds <= start_fds + 16 ))")"
row "RSS (KiB, for information)" "$start_rss" "$end_rss" -
if [[ $start_alloc == n/a || $end_alloc == n/a ]]; then
    row "simulator live allocations" n/a n/a -
    row "... after rkllm_destroy" - n/a -
else
    row "simulator live allocations" "$start_alloc" "$end_alloc" "$(judge "[[ $start_alloc == $end_alloc ]]")"
    row "... after rkllm_destroy" - "$destroyed_alloc" "$(judge "[[ $destroyed_alloc == 0 ]]")"
fi
row "5xx answers" - "$server_errors" "$(judge "[[ $server_errors == 0 ]]")"
row "ERROR lines in the service log" - "$logged_errors" "$(judge "[[ $logged_errors == 0 ]]")"

mkdir -p bench/results
{
    echo "{"
    echo "  \"minutes\": $minutes, \"workers\": $workers, \"client_operations\": $requests,"
    echo "  \"date\": \"$(date -u +%FT%TZ)\", \"commit\": \"$(git rev-parse --short HEAD)\", \"cores\": $(nproc),"
    echo "  \"live_sessions_after_idle\": $live,"
    echo "  \"heap_kib\": {\"start\": $start_heap, \"end\": $end_heap},"
    echo "  \"threads\": {\"start\": $start_threads, \"end\": $end_threads},"
    echo "  \"fds\": {\"start\": $start_fds, \"end\": $end_fds},"
    echo "  \"rss_kib\": {\"start\": $start_rss, \"end\": $end_rss},"
    echo "  \"simulator_allocations\": {\"start\": \"$start_alloc\", \"end\": \"$end_alloc\","
    echo "    \"after_destroy\": \"$destroyed_alloc\"},"
    echo "  \"server_errors\": $server_errors, \"error_log_lines\": $logged_errors,"
    echo "  \"outcomes\": {"
    awk '$1 == "outcome" {printf "%s    \"%s\": %s", sep, $2, $3; sep = ",\n"} END {print ""}' "$work/soak.out"
    echo "  },"
    echo "  \"ok\": $([[ $failed == 0 ]] && echo true || echo false)"
    echo "}"
} >bench/results/soak.json
echo "wrote bench/results/soak.json"
if [[ $logged_errors != 0 ]]; then
    grep ' ERROR ' "$work/service.log" | head -5
fi
exit $failed
