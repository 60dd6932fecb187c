#!/bin/sh
# The first minute on a board: checks what the gateway needs from an RK3588/RK3576 board before you deploy it, and
# says how to fix what is missing. Run it on the board (no root needed; root also reads debugfs):
#
#   sh docker/board-check.sh [librkllmrt.so] [model.rkllm]
#
# Each line is OK, WARN (works, but not as it should) or FAIL (the runtime will not work), followed by the fix; the
# exit code is 1 when a line FAILs. It reads the same variables as docker/compose.yaml: RKLLM_LIB (default
# /usr/lib/librkllmrt.so), and RKLLM_MODELS + RKLLM_MODEL for the model. It uses only a stock board image's tools
# (POSIX sh, coreutils, grep, sed; `strings` when binutils is installed). BOARD_SYS, BOARD_DEV and BOARD_PROC move
# /sys, /dev and /proc, so that its tests can run it against a fake board.

set -u

SYS=${BOARD_SYS:-/sys}
DEV=${BOARD_DEV:-/dev}
PROC=${BOARD_PROC:-/proc}
LIB=${1:-${RKLLM_LIB:-/usr/lib/librkllmrt.so}}
if [ -n "${RKLLM_MODEL:-}" ]; then
    MODEL=${2:-${RKLLM_MODELS:-/opt/rkllm/models}/$RKLLM_MODEL}
else
    MODEL=${2:-}
fi

# The JVM and the gateway on top of the model's own memory (README, "The models").
JVM_MIB=512
DRIVER_MIN=0.9.7

fails=0
warns=0

# verdict LEVEL TOPIC TEXT [FIX]
verdict() {
    printf '%-5s %-9s %s\n' "$1" "$2" "$3"
    if [ -n "${4:-}" ]; then
        printf '%16sfix: %s\n' '' "$4"
    fi
    case $1 in
        FAIL) fails=$((fails + 1)) ;;
        WARN) warns=$((warns + 1)) ;;
    esac
}

# version_at_least A B: whether dotted version A >= B (numeric parts only).
version_at_least() {
    a=$1
    b=$2
    while [ -n "$a$b" ]; do
        x=${a%%.*}
        y=${b%%.*}
        x=${x:-0}
        y=${y:-0}
        if [ "$x" -gt "$y" ]; then return 0; fi
        if [ "$x" -lt "$y" ]; then return 1; fi
        case $a in *.*) a=${a#*.} ;; *) a= ;; esac
        case $b in *.*) b=${b#*.} ;; *) b= ;; esac
    done
    return 0
}

# --- the board ------------------------------------------------------------------------------------------------------
soc=
if [ -r "$PROC/device-tree/compatible" ]; then
    soc=$(tr '\000' '\n' < "$PROC/device-tree/compatible" | grep -o -E 'rk3588|rk3576|rk3562|rv1126b' | head -n 1)
fi
if [ -n "$soc" ]; then
    verdict INFO board "$soc ($PROC/device-tree/compatible)"
else
    verdict WARN board "not an RK3588, RK3576, RK3562 or RV1126B by $PROC/device-tree/compatible" \
        "run this on the board itself; RKLLM runs on those SoCs only"
fi

# --- the kernel driver ----------------------------------------------------------------------------------------------
npu_card=
npu_render=
for node in "$SYS"/class/drm/card* "$SYS"/class/drm/renderD*; do
    name=${node##*/}
    case $name in *-*) continue ;; esac    # connectors such as card0-HDMI-A-1
    driver=$(readlink "$node/device/driver" 2>/dev/null)
    if [ "${driver##*/}" = RKNPU ]; then
        case $name in
            card*) npu_card=$name ;;
            renderD*) npu_render=$name ;;
        esac
    fi
done

driver_version=
for file in "$SYS/module/rknpu/version" "$SYS/kernel/debug/rknpu/version" "$PROC/rknpu/version"; do
    if [ -r "$file" ]; then
        driver_version=$(grep -o -E '[0-9]+\.[0-9]+\.[0-9]+' "$file" 2>/dev/null | head -n 1)
        if [ -n "$driver_version" ]; then
            break
        fi
    fi
done

if [ -z "$npu_render$npu_card" ] && [ ! -e "$DEV/rknpu" ] && [ ! -e "$SYS/module/rknpu" ]; then
    if [ -e "$SYS/module/rocket" ] || [ -e "$DEV/accel/accel0" ]; then
        verdict FAIL driver "only the mainline rocket accel driver: librkllmrt does not work with it" \
            "boot a vendor kernel (5.10 or 6.1) with Rockchip's rknpu driver >= $DRIVER_MIN"
    else
        verdict FAIL driver "no rknpu driver in this kernel" \
            "boot a vendor kernel (5.10 or 6.1) with Rockchip's rknpu driver >= $DRIVER_MIN"
    fi
elif [ -z "$driver_version" ]; then
    verdict WARN driver "rknpu is loaded but its version is unreadable here" \
        "sudo cat /sys/kernel/debug/rknpu/version, or sudo dmesg | grep -i rknpu; it must be >= $DRIVER_MIN"
elif version_at_least "$driver_version" "$DRIVER_MIN"; then
    if version_at_least "$driver_version" 0.9.8; then
        verdict OK driver "rknpu $driver_version"
    else
        verdict OK driver "rknpu $driver_version (0.9.8 recommended)"
    fi
else
    verdict FAIL driver "rknpu $driver_version is older than $DRIVER_MIN: the runtime asks for an upgrade and large \
models fail with 'failed to malloc npu memory'" \
        "a kernel with rknpu >= $DRIVER_MIN (0.9.8 recommended); vendor images often ship older ones"
fi

# --- the NPU's device nodes and their groups ------------------------------------------------------------------------
gids=
plugin=

# node_access PATH TOPIC: the node's owner, group and mode, and whether the gateway's non-root user can open it.
node_access() {
    if [ ! -e "$1" ]; then
        verdict FAIL "$2" "$1 is missing although the driver registered it" \
            "in a container, pass the host's $DEV/dri (compose devices, or the device plugin)"
        return
    fi
    info=$(stat -L -c '%U:%G gid=%g mode=%a' "$1")
    gid=$(stat -L -c '%g' "$1")
    mode=$(stat -L -c '%a' "$1")
    case " $gids " in *" $gid "*) ;; *) gids="${gids:+$gids }$gid" ;; esac
    plugin="$plugin${plugin:+,}{\"path\":\"/dev${1#"$DEV"}\"}"
    group_bits=$(( (0$mode / 8) % 8 ))
    if [ $((group_bits & 6)) -eq 6 ]; then
        verdict OK "$2" "$1  $info"
    else
        verdict WARN "$2" "$1  $info: only its owner can open it, not the gateway's uid 10001" \
            "a udev rule giving it to the render group with mode 0660 (README, step 2), or run privileged"
    fi
}

if [ -L "$DEV/rknpu" ]; then
    verdict FAIL npu "$DEV/rknpu is a symbolic link: the runtime then takes its legacy path and fails \
(hw_version = -1)" "remove it; with the DRM driver build the runtime uses the render node"
elif [ -e "$DEV/rknpu" ]; then
    node_access "$DEV/rknpu" npu
fi
for name in $npu_render $npu_card; do
    node_access "$DEV/dri/$name" npu
done
if [ -z "$npu_render$npu_card" ] && [ ! -e "$DEV/rknpu" ]; then
    verdict FAIL npu "neither a DRM node of the RKNPU driver in $SYS/class/drm nor $DEV/rknpu" \
        "check the driver (above); the NPU's nodes are those whose $SYS/class/drm/*/device/driver is RKNPU"
fi

# --- the DMA heaps --------------------------------------------------------------------------------------------------
if [ -e "$DEV/dma_heap/system" ]; then
    node_access "$DEV/dma_heap/system" heap
else
    verdict WARN heap "no $DEV/dma_heap/system, the heap the runtime allocates from" \
        "a kernel with CONFIG_DMABUF_HEAPS_SYSTEM; ls $DEV/dma_heap shows the heaps there are"
fi
for heap in "$DEV"/dma_heap/*; do
    if [ -e "$heap" ] && [ "${heap##*/}" != system ]; then
        node_access "$heap" heap
    fi
done

if [ -n "$plugin" ]; then
    verdict INFO groups "the nodes' gids $gids: compose group_add (RENDER_GID, VIDEO_GID), Helm \
npu.supplementalGroups"
    # generic-device-plugin pairs a group's path globs one to one: list every node, never /dev/dma_heap/*.
    verdict INFO plugin "generic-device-plugin --device '{\"name\":\"rknpu\",\"groups\":[{\"paths\":[$plugin]}]}'"
fi

# --- the runtime library, its banner and ABI ------------------------------------------------------------------------
# The same rule as the gateway's rkllm.abi: auto (AbiGeneration): 1.2.1-1.2.x is ABI 1.2, 1.3.x is 1.3; a pre-release
# that opens a generation (1.2.1b1) still has the ABI before it.
abi_of() {
    version=$1
    release=$(printf '%s' "$version" | grep -o -E '^[0-9]+\.[0-9]+\.[0-9]+')
    suffix=${version#"$release"}
    major=${release%%.*}
    rest=${release#*.}
    minor=${rest%%.*}
    patch=${rest#*.}
    if [ -n "$suffix" ]; then
        if [ "$patch" -eq 0 ]; then
            return
        fi
        previous=$(abi_of "$major.$minor.$((patch - 1))")
        if [ "$previous" != "$(abi_of "$release")" ]; then
            return
        fi
    fi
    if [ "$major" -eq 1 ] && [ "$minor" -eq 2 ] && [ "$patch" -ge 1 ]; then
        echo 1.2
    elif [ "$major" -eq 1 ] && [ "$minor" -eq 3 ]; then
        echo 1.3
    fi
}

# The build banner Rockchip's files carry, e.g. RKLLM SDK (version: 1.2.0 | target: Linux | build: f8ca3ae8 ...).
BANNER='RKLLM SDK \(version: [^)[:cntrl:]]*\)?'
if [ ! -f "$LIB" ]; then
    verdict FAIL library "no $LIB" \
        "put Rockchip's aarch64 librkllmrt.so (rknn-llm, rkllm-runtime/Linux) there, or name it: RKLLM_LIB=<path>"
else
    machine=$(od -A n -t x1 -j 18 -N 2 "$LIB" | tr -d ' \n')
    if command -v strings > /dev/null 2>&1; then
        banner=$(strings -a "$LIB" | grep -o -E "$BANNER" | head -n 1)
    else
        banner=$(grep -a -o -E "$BANNER" "$LIB" | head -n 1)
    fi
    version=$(printf '%s' "$banner" \
        | sed -n 's/^RKLLM SDK (version: \([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*[0-9A-Za-z.+~-]*\)[ |)].*/\1/p')
    if [ "$machine" != b700 ]; then
        verdict FAIL library "$LIB is not an aarch64 library (ELF machine bytes ${machine:-none})" \
            "use the aarch64 build of librkllmrt.so (rkllm-runtime/Linux/librkllm_api/aarch64)"
    elif [ -z "$version" ]; then
        verdict WARN library "$LIB carries no 'RKLLM SDK (version: X.Y.Z' banner: rkllm.abi: auto will refuse it" \
            "read the version in the runtime's init log (rkllm-runtime version: X.Y.Z), set rkllm.abi to 1.2 or 1.3"
    else
        abi=$(abi_of "$version")
        if [ -n "$abi" ]; then
            verdict OK library "$LIB: $banner -> ABI $abi (rkllm.abi: auto picks it)"
        else
            verdict FAIL library "$LIB: $banner: runtime $version is not supported" \
                "use runtime 1.2.1-1.2.x or 1.3.x, with models converted by the matching rkllm-toolkit"
        fi
    fi
fi

# --- memory against the model ---------------------------------------------------------------------------------------
available_kib=$(grep -E '^MemAvailable:' "$PROC/meminfo" 2>/dev/null | grep -o -E '[0-9]+')
if [ -z "$available_kib" ]; then
    verdict WARN memory "no MemAvailable in $PROC/meminfo" "check free -m by hand"
elif [ -z "$MODEL" ]; then
    verdict WARN memory "$((available_kib / 1024)) MiB available; no model given, so not compared" \
        "name the model: sh board-check.sh <librkllmrt.so> <model.rkllm>, or RKLLM_MODELS and RKLLM_MODEL"
elif [ ! -f "$MODEL" ]; then
    verdict FAIL memory "no model file $MODEL" "put the converted .rkllm model there, or name another"
else
    model_mib=$(( $(stat -L -c '%s' "$MODEL") / 1048576 ))
    available_mib=$((available_kib / 1024))
    needed_mib=$((model_mib + JVM_MIB))
    if [ "$available_mib" -ge "$needed_mib" ]; then
        verdict OK memory "$available_mib MiB available for the $model_mib MiB model and $JVM_MIB MiB for the JVM"
    else
        verdict FAIL memory "$available_mib MiB available; the $model_mib MiB model and the JVM need about \
$needed_mib MiB" \
            "stop what else runs on the board, or take a smaller model (or a w4a16 one on RK3576)"
    fi
fi

# --- clocks ---------------------------------------------------------------------------------------------------------
governors=
unpinned=
for file in "$SYS"/devices/system/cpu/cpufreq/policy*/scaling_governor "$SYS"/class/devfreq/*/governor; do
    [ -r "$file" ] || continue
    case $file in
        */cpufreq/*) name=${file%/scaling_governor}; name=${name##*/} ;;
        *) name=${file%/governor}; name=${name##*/} ;;
    esac
    governor=$(cat "$file")
    governors="${governors:+$governors }$name=$governor"
    case $governor in
        performance | userspace) ;;
        *) unpinned=yes ;;
    esac
done
script=fix_freq_${soc:-rk3588}.sh
if [ -z "$governors" ]; then
    verdict WARN clocks "no cpufreq or devfreq governors under $SYS" "check that $SYS is the host's sysfs"
elif [ -n "$unpinned" ]; then
    verdict WARN clocks "$governors: not pinned, so tokens/s vary with the load" \
        "on the host at boot: sudo sh $script (rknn-llm's scripts/; userspace governor, fixed frequencies)"
else
    verdict OK clocks "$governors"
fi

echo "$fails FAIL, $warns WARN"
[ "$fails" -eq 0 ]
