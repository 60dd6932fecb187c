#!/usr/bin/env bash
# The packaged jar on an aarch64 JVM (issue 22). Every board this service is for runs aarch64; the test suite runs on
# x86-64. Under qemu-user this checks what only an aarch64 process shows: the struct layouts as an aarch64 compiler
# lays them out, JNA's aarch64 dispatch library, and the simulator's native callback thread calling into an aarch64
# JVM, for both runtime ABIs. No NPU and no real librkllmrt.so are involved (README "Checked on aarch64").
#   deploy-check/arm64.sh      after ./mvnw -B -ntp verify (or package): it starts target/rkllm-gateway-*.jar
# Needs an x86-64 Debian machine and root for apt-get. It installs what is missing: qemu-user, the aarch64 cross
# compiler and C library, jq. Debian's arm64 JRE and the few arm64 libraries it loads are downloaded (apt-get
# download) and unpacked into target/arm64/jre-root, not installed: Multi-Arch keeps both architectures of a library
# at one version, so installing them would upgrade the machine's own JDK, libc and more along the way.
# Prints one line per check and "N passed, N failed" last; exits 1 on any failure. Logs and streams of the last run
# stay in target/arm64/.
set -euo pipefail
cd "$(dirname "$0")/.."

out=target/arm64
sysroot=$out/jre-root
jre_packages=(openjdk-17-jre-headless libc6 libgcc-s1 libstdc++6 zlib1g)
java=$sysroot/usr/lib/jvm/java-17-openjdk-arm64/bin/java
# qemu's default CPU model leaves the JVM spinning at start; the Cortex-A76 is the RK3588's big core.
qemu=(qemu-aarch64 -cpu cortex-a76 -L "$sysroot")
# C1 only: under emulation C2's compiles cost more than they save, and a start then takes less than half the CPU time.
# What is checked (JNA, the layouts, the callback thread) does not depend on the JIT tier.
jvm_opts=(-XX:TieredStopAtLevel=1)
model=native-libs/models/tiny-sim.rkllm
# The packaged application.yml's time for each shutdown phase (GracefulShutdownIT waits as long).
grace_s=20
ready_deadline_s=300

passed=0 failed=0
pass() { echo "PASS  $*"; passed=$((passed + 1)); }
fail() { echo "FAIL  $*"; failed=$((failed + 1)); }
finish() {
    echo "$passed passed, $failed failed"
    exit $((failed > 0))
}

# On exit, however it comes: the service and the stream readers still running are this shell's own jobs.
stop_all() {
    local pids
    pids=$(jobs -p)
    [[ -z $pids ]] || kill -KILL $pids 2>/dev/null || true
    wait 2>/dev/null || true
}
trap stop_all EXIT
started=$(date +%s)
section() { echo "== $* (at $(($(date +%s) - started)) s)"; }

# --- what it needs from Debian -----------------------------------------------------------------------------------
section "packages"
[[ $(uname -m) == x86_64 ]] || { fail "this check runs aarch64 under qemu on an x86-64 machine, not on $(uname -m)"
    finish; }
shopt -s nullglob
jars=(target/rkllm-gateway-*.jar)
shopt -u nullglob
((${#jars[@]} == 1)) || { fail "expected one packaged jar, found ${#jars[@]}: run ./mvnw -B -ntp verify first"
    finish; }
jar=${jars[0]}

apt_log=$out/apt.log
mkdir -p "$out"
: >"$apt_log"
apt_updated=
apt_update() {
    [[ -n $apt_updated ]] || apt-get update -q >>"$apt_log" 2>&1 && apt_updated=yes
}
missing=()
command -v qemu-aarch64 >/dev/null || missing+=(qemu-user)
command -v aarch64-linux-gnu-gcc >/dev/null || missing+=(gcc-aarch64-linux-gnu)
[[ -f /usr/aarch64-linux-gnu/include/stdio.h ]] || missing+=(libc6-dev-arm64-cross)
command -v jq >/dev/null || missing+=(jq)
command -v curl >/dev/null || missing+=(curl)
if ((${#missing[@]})); then
    if apt_update && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" \
            >>"$apt_log" 2>&1; then
        pass "installed from Debian: ${missing[*]}"
    else
        tail -5 "$apt_log"
        fail "could not install ${missing[*]} with apt-get (root and Debian's archive needed; $apt_log)"
        finish
    fi
else
    echo "note  qemu-user, the aarch64 cross compiler and C library, jq and curl are installed"
fi

# download_jre_packages DIR: the arm64 packages' .deb files into DIR.
download_jre_packages() {
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
        dpkg --add-architecture arm64 || return 1
        apt_updated=''
    fi
    apt_update && (cd "$1" && apt-get download -q "${jre_packages[@]/%/:arm64}")
}
# The unpacked JRE is kept until its package list changes (or target/ is cleaned).
if [[ $(cat "$sysroot/.packages" 2>/dev/null) != "${jre_packages[*]}" ]]; then
    download=$out/debs
    rm -rf "$sysroot" "$download"
    mkdir -p "$download"
    if ! download_jre_packages "$download" >>"$apt_log" 2>&1; then
        tail -5 "$apt_log"
        fail "this machine cannot fetch Debian's arm64 packages (dpkg --add-architecture arm64, apt-get update," \
            "apt-get download ${jre_packages[*]/%/:arm64}; $apt_log)"
        finish
    fi
    for deb in "$download"/*.deb; do
        dpkg-deb -x "$deb" "$sysroot"
    done
    # Absolute links (the JRE's conf/ and jvm.cfg point into /etc) would lead out of the tree to the host's files.
    while IFS= read -r link; do
        ln -sfn "$(realpath -s -m --relative-to="$(dirname "$link")" "$sysroot$(readlink "$link")")" "$link"
    done < <(find "$sysroot" -type l -lname '/*')
    rm -rf "$download"
    echo "${jre_packages[*]}" >"$sysroot/.packages"
    pass "unpacked Debian's arm64 ${jre_packages[*]} into $sysroot"
else
    echo "note  Debian's arm64 ${jre_packages[*]} are unpacked in $sysroot"
fi
jre_version=$("${qemu[@]}" "$java" -version 2>&1 | head -1) \
    || { fail "the arm64 JRE does not start under ${qemu[*]}: $jre_version"; finish; }

# --- the simulator, cross-compiled -------------------------------------------------------------------------------
section "the simulator for aarch64"
sim=$out/native
if make --no-print-directory -C native-libs/rkllm-sim CC=aarch64-linux-gnu-gcc OUT="$PWD/$sim" \
        >"$out/make.log" 2>&1; then
    pass "built both ABIs' librkllmrt.so and layout dumpers with aarch64-linux-gnu-gcc into $sim"
else
    cat "$out/make.log"
    fail "cross-compiling the simulator failed ($out/make.log)"
    finish
fi

# --- the service ---------------------------------------------------------------------------------------------------
port='' service_pid='' service_log=''
# start_service ABI: the packaged jar on the arm64 JVM with that ABI's aarch64 simulator, from the repository root
# (the bundled application.yml) on a free loopback port that the service picks itself.
start_service() {
    local abi=$1
    service_log=$out/$abi/service.log
    "${qemu[@]}" "$java" "${jvm_opts[@]}" -Djna.tmpdir="$out/jna" -jar "$jar" --server.port=0 --server.address=127.0.0.1 \
        --rkllm.library-path="$sim/$abi/librkllmrt.so" --rkllm.abi="$abi" >"$service_log" 2>&1 &
    service_pid=$!
    port=
}

# kill_service: ends the service at once, where a check failed or it outlived the grace period.
kill_service() {
    kill -KILL "$service_pid" 2>/dev/null
    wait "$service_pid" 2>/dev/null
}

# await_ready: whether readiness answers 200 within the deadline.
await_ready() {
    local deadline=$((SECONDS + ready_deadline_s))
    while ((SECONDS < deadline)) && kill -0 "$service_pid" 2>/dev/null; do
        [[ -n $port ]] || port=$(sed -n 's/.*Netty started on port \([0-9]*\).*/\1/p' "$service_log")
        [[ -n $port ]] && curl -sf -o /dev/null --max-time 5 "http://127.0.0.1:$port/actuator/health/readiness" \
            && return 0
        sleep 0.5
    done
    return 1
}

# rpc METHOD [PARAMS-JSON]: the JSON-RPC result, or nothing (status 1) on an error answer.
rpc() {
    local params=${2:-'{}'}
    jq -nc --arg method "$1" --argjson params "$params" '{jsonrpc:"2.0", id:1, method:$method, params:$params}' \
        | curl -sS --max-time 10 -H 'Content-Type: application/json' --data-binary @- "http://127.0.0.1:$port/rpc" \
        | jq -ce '.result // empty'
}

# run_async PROMPT: starts a run and follows its stream into $stream_file in the background; sets session_id.
stream_file='' stream_pid='' session_id=''
run_async() {
    session_id=$(rpc rkllm_run_async "$(jq -nc --arg p "$1" '{prompt_input:$p}')" | jq -r .session_id) || return 1
    curl -sN --max-time 120 "http://127.0.0.1:$port/streams/$session_id" >"$stream_file" &
    stream_pid=$!
}

# chunks: the chunk events of $stream_file, one JSON object a line.
chunks() { sed -n 's/^data: \{0,1\}//p' "$stream_file" | jq -c 'select(has("seq"))'; }

# await N: whether the stream has at least N chunks within 60 s.
await() {
    local deadline=$((SECONDS + 60))
    while ((SECONDS < deadline)); do
        (($(chunks | wc -l) >= $1)) && return 0
        sleep 0.2
    done
    return 1
}

# stream_ended: whether the stream's response completed within the grace period; the last chunk is then on stdout.
stream_ended() {
    local deadline=$((SECONDS + grace_s))
    while ((SECONDS < deadline)) && kill -0 "$stream_pid" 2>/dev/null; do
        sleep 0.2
    done
    ! kill -0 "$stream_pid" 2>/dev/null && chunks | tail -1 | jq -ce 'select(.end)'
}

# is_running_within S EXPECTED: whether rkllm_is_running answers EXPECTED within S seconds.
is_running_within() {
    local deadline=$((SECONDS + $1))
    while ((SECONDS < deadline)); do
        [[ $(rpc rkllm_is_running | jq -r .running) == "$2" ]] && return 0
        sleep 0.2
    done
    return 1
}

# From here on a failing command is a failed check, not the end of the script.
set +e
corpus=$(sed '1,/^---$/d' "$model")
# Two-, three- and four-byte characters: the simulator sends each as two tokens, split inside the character.
utf8_prompt='Grüße aus 東京, naïve café 🙂🚀 — ok. '
long_run='[[sim:prefill_ms=0]][[sim:delay_us=2000]][[sim:tokens=1000000]]'

check_abi() {
    local abi=$1 table=$2 t0 text end exit_code=
    mkdir -p "$out/$abi"
    section "ABI $abi"
    if "${qemu[@]}" "$sim/layout-$abi" | diff - "src/test/resources/abi/$table" >"$out/$abi/layout.diff"; then
        pass "$abi layout: the aarch64 build of layout_dump.c prints src/test/resources/abi/$table exactly"
    else
        fail "$abi layout: the aarch64 layout differs from src/test/resources/abi/$table ($out/$abi/layout.diff)"
    fi
    if [[ -f ../shared/$table ]]; then
        if cmp -s "src/test/resources/abi/$table" "../shared/$table"; then
            pass "$abi layout: ../shared/$table is the same table"
        else
            fail "$abi layout: ../shared/$table differs from src/test/resources/abi/$table"
        fi
    else
        echo "note  $abi layout: no ../shared/$table here; compared with the repository's copy only"
    fi

    t0=$SECONDS
    start_service "$abi"
    if ! await_ready; then
        tail -30 "$service_log"
        fail "$abi start: readiness not UP within $ready_deadline_s s on $jre_version ($service_log)"
        kill_service
        return
    fi
    pass "$abi start: readiness UP after $((SECONDS - t0)) s on the arm64 JVM ($jre_version)"

    local health
    health=$(curl -sS --max-time 10 "http://127.0.0.1:$port/actuator/health" | jq -c '.components.rkllm')
    if jq -e --arg abi "$abi" '.status == "UP" and .details.abi == $abi
            and (.details.version | startswith($abi + "."))' <<<"$health" >/dev/null; then
        pass "$abi health: rkllm UP with abi $abi, version $(jq -r .details.version <<<"$health")"
    else
        fail "$abi health: /actuator/health's rkllm component lacks abi $abi or a $abi.x version: $health"
    fi

    # RKLLMParam returned by value goes through the aarch64 calling convention for large structs; the simulator's
    # defaults (rkllm_sim.c) span the struct from its first field to the extend_param at its end.
    local defaults
    defaults=$(rpc rkllm_createDefaultParam)
    if jq -e '.max_context_len == 512 and .top_k == 40 and .skip_special_token == true
            and .enabled_cpus_mask == 240 and .n_batch == 1' <<<"$defaults" >/dev/null; then
        pass "$abi by value: rkllm_createDefaultParam's RKLLMParam reads the simulator's defaults" \
            "from max_context_len to extend_param"
    else
        fail "$abi by value: rkllm_createDefaultParam answered ${defaults:-an error}, not the simulator's defaults"
    fi

    stream_file=$out/$abi/utf8.sse
    if run_async "$utf8_prompt" && stream_ended >/dev/null; then
        text=$(chunks | jq -j '.delta')
        end=$(chunks | tail -1)
        if [[ $text == "$utf8_prompt"?* && $corpus == "${text#"$utf8_prompt"}"* ]] \
                && jq -e '.finish_reason == "stop"' <<<"$end" >/dev/null; then
            pass "$abi SSE: split UTF-8 characters arrive intact ($(chunks | wc -l) chunks, $(printf %s "$text" \
                | wc -c) bytes: the prompt, then the corpus, then finish_reason stop)"
        else
            fail "$abi SSE: the streamed text is not the prompt then the corpus ($stream_file): ${text:0:120}"
        fi
    else
        fail "$abi SSE: the UTF-8 run did not stream to its end within $grace_s s ($stream_file)"
    fi

    stream_file=$out/$abi/abort.sse
    if ! run_async "abort me $long_run" || ! await 5 || ! is_running_within 5 true; then
        fail "$abi abort: the long run did not stream with rkllm_is_running true ($stream_file)"
    elif ! rpc rkllm_abort "$(jq -nc --arg s "$session_id" '{session_id:$s}')" | jq -e '.aborted' >/dev/null; then
        fail "$abi abort: rkllm_abort did not answer aborted:true"
    elif ! stream_ended | jq -e '.finish_reason == "aborted"' >/dev/null; then
        fail "$abi abort: the stream did not end with finish_reason aborted ($stream_file)"
    elif ! is_running_within 10 false; then
        fail "$abi abort: rkllm_is_running still true 10 s after the abort"
    else
        pass "$abi abort: mid-stream after $(($(chunks | wc -l) - 1)) chunks; the stream ended aborted and" \
            "rkllm_is_running is false"
    fi

    stream_file=$out/$abi/shutdown.sse
    if ! run_async "SHUTDOWN $long_run" || ! await 5; then
        fail "$abi shutdown: the long run did not stream ($stream_file)"
        kill_service
        return
    fi
    t0=$SECONDS
    kill -TERM "$service_pid"
    end=$(stream_ended) || true
    local deadline=$((SECONDS + grace_s))
    while ((SECONDS < deadline)) && kill -0 "$service_pid" 2>/dev/null; do
        sleep 0.2
    done
    if ! kill -0 "$service_pid" 2>/dev/null; then
        wait "$service_pid" && exit_code=0 || exit_code=$?
    fi
    # As on x86-64 (GracefulShutdownIT): the live stream ends aborted for the shutdown, the handle is destroyed after
    # the sessions are ended, and the JVM exits as its SIGTERM handler does, 128 + 15.
    if [[ $exit_code == 143 ]] && jq -e '.finish_reason == "aborted" and .reason == "shutdown"' <<<"$end" >/dev/null \
            && grep -q 'Shutting down: ending [0-9]* live session(s)' "$service_log" \
            && sed -n '/Shutting down: ending/,$p' "$service_log" | grep -q 'Model handle destroyed'; then
        pass "$abi shutdown: SIGTERM mid-stream: the stream ended aborted (shutdown), the model handle was destroyed," \
            "exit code 143 after $((SECONDS - t0)) s"
    else
        tail -10 "$service_log"
        fail "$abi shutdown: SIGTERM mid-stream: exit code ${exit_code:-none within $grace_s s} (143 expected)," \
            "last chunk ${end:-none}; want finish_reason aborted, reason shutdown and the log lines above ($service_log)"
    fi
    if [[ -z $exit_code ]]; then
        kill_service
    fi
}

check_abi 1.2 rkllm-offsets-1.2.3.txt
check_abi 1.3 rkllm-offsets-1.3.0.txt
section "done"
finish
