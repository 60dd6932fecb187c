#!/usr/bin/env bash
# Trains the application's AppCDS archive: one start of the service, up to and including one answer of
# /actuator/health/readiness, then SIGTERM; the JVM writes the classes it loaded to ARCHIVE when it exits.
#   train-cds.sh ARCHIVE JAR [ARG...]
# Run it from the directory whose application.yml the service should read, with the JVM options of the runs that will
# use the archive in JDK_JAVA_OPTIONS. ARGs go to the service (e.g. --rkllm.library-path=...). The runs then add
# -XX:SharedArchiveFile=ARCHIVE; the archive is only valid for the same JDK and the same jar files (path, size, time).
#
# Spring Boot documents -Dspring.context.exit=onRefresh for training; that stops before the web server starts, so the
# classes of Netty's start and of the first request (about 1,100 on Boot 4.0) would still come from the jars on every
# start. Training through one readiness answer archives them too: measured on a 2-core x86-64 machine, 6 starts each,
# median ready 3.43 s (onRefresh) against 3.05 s, idle RSS 157 against 148 MB.
# Used by docker/Dockerfile and bench/run.sh (measurement 6).
set -euo pipefail

if [[ $# -lt 2 ]]; then
    echo "usage: train-cds.sh ARCHIVE JAR [ARG...]" >&2
    exit 2
fi
archive=$1
jar=$2
shift 2
# Seconds to wait for the service; an arm64 image built on an x86-64 machine trains under QEMU emulation.
timeout_s=${TRAIN_CDS_TIMEOUT_S:-600}

log=$(mktemp)
rm -f "$archive"
java -XX:ArchiveClassesAtExit="$archive" -jar "$jar" --server.port=0 --server.address=127.0.0.1 "$@" >"$log" 2>&1 &
pid=$!
trap 'kill -KILL "$pid" 2>/dev/null || true; rm -f "$log"' EXIT

fail() {
    echo "train-cds.sh: $*; the service's output:" >&2
    cat "$log" >&2
    exit 1
}

# Any HTTP answer will do: without an NPU (an image built for a board) readiness is DOWN, and that path is archived too.
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

# SIGTERM: the graceful shutdown runs (its classes are archived too), then the JVM exits and writes the archive.
kill -TERM "$pid"
wait "$pid" || true
[[ -s $archive ]] || fail "no archive written to $archive"
echo "train-cds.sh: wrote $archive ($(du -h "$archive" | cut -f1)); readiness answered ${answered%$'\r'}"
