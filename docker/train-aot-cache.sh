#!/usr/bin/env bash
# Trains the application's AOT cache (Java 25, JEP 483/514/515): one start of the service, up to and including one
# answer of /actuator/health/readiness, then SIGTERM; when the JVM exits it writes to CACHE the classes it loaded,
# already linked, and the profiles of the methods it ran.
#   train-aot-cache.sh CACHE JAR [ARG...]
# Needs Java 25 or later as `java` on the PATH. Run it from the directory whose application.yml the service should
# read, with the JVM options of the runs that will use the cache in JDK_JAVA_OPTIONS. ARGs go to the service (e.g.
# --rkllm.library-path=...). The runs then add -XX:AOTCache=CACHE; the cache is only valid for the same JDK, the same
# jar files (path, size, time) and the same module options (an --enable-native-access on the command line that the
# training did not have disables it; the jar's manifest grants JNA native access instead, in both).
#
# Spring Boot documents -Dspring.context.exit=onRefresh for training; that stops before the web server starts, so the
# classes of Netty's start and of the first request (about 1,100 on Boot 4.0) would still come from the jars on every
# start. Training through one readiness answer covers them too: measured with Java 17's AppCDS on a 2-core x86-64
# machine, 6 starts each, median ready 3.43 s (onRefresh) against 3.05 s, idle RSS 157 against 148 MB.
# Used by docker/Dockerfile and bench/run.sh (measurement 6).
set -euo pipefail

if [[ $# -lt 2 ]]; then
    echo "usage: train-aot-cache.sh CACHE JAR [ARG...]" >&2
    exit 2
fi
cache=$1
jar=$2
shift 2
# Seconds to wait for the service; an arm64 image built on an x86-64 machine trains under QEMU emulation.
timeout_s=${TRAIN_AOT_TIMEOUT_S:-600}

java -XX:+PrintFlagsFinal -version 2>/dev/null | grep ' AOTCacheOutput ' >/dev/null \
    || { echo "train-aot-cache.sh: needs Java 25 or later as java on the PATH, not" \
            "$(env -u JDK_JAVA_OPTIONS java -version 2>&1 | head -1)" >&2
        exit 1; }
log=$(mktemp)
rm -f "$cache"
java -XX:AOTCacheOutput="$cache" -jar "$jar" --server.port=0 --server.address=127.0.0.1 "$@" >"$log" 2>&1 &
pid=$!
trap 'kill -KILL "$pid" 2>/dev/null || true; rm -f "$log"' EXIT

fail() {
    echo "train-aot-cache.sh: $*; the service's output:" >&2
    cat "$log" >&2
    exit 1
}

# Any HTTP answer will do: without an NPU (an image built for a board) readiness is DOWN, and that path is trained too.
answered=
deadline=$((SECONDS + timeout_s))
while [[ -z $answered ]] && ((SECONDS < deadline)); do
    kill -0 "$pid" 2>/dev/null || fail "the service exited before it answered"
    port=$(sed -n 's/.*Netty started on port \([0-9]*\).*/\1/p' "$log")
    if [[ -n $port ]] && exec 3<>"/dev/tcp/127.0.0.1/$port" 2>/dev/null; then
        printf 'GET /actuator/health/readiness HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
        status=
        read -r -t 30 status <&3 || true
        exec 3<&-
        [[ $status == "HTTP/1."?" "[0-9][0-9][0-9]* ]] && answered=$status
    fi
    [[ -n $answered ]] || sleep 0.1
done
[[ -n $answered ]] || fail "no answer from /actuator/health/readiness within ${timeout_s}s"

# SIGTERM: the graceful shutdown runs (its classes are cached too), then the JVM exits and writes the cache (in a
# child JVM of its own, a few seconds).
kill -TERM "$pid"
wait "$pid" || true
[[ -s $cache ]] || fail "no AOT cache written to $cache"
echo "train-aot-cache.sh: wrote $cache ($(du -h "$cache" | cut -f1)); readiness answered ${answered%$'\r'}"
