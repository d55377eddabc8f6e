#!/usr/bin/env bash
# Builds the libFuzzer targets and runs each for SECONDS (default 60).
#
#   fuzz/run.sh [SECONDS] [TARGET...]     TARGET: loader json paths cron (default: all)
#
# Each target starts from its seed corpus in fuzz/corpus/<name>/ and keeps what it finds in
# fuzz/.build/corpus/<name>/ (the committed seeds are not changed). A crash, a timeout
# (-timeout=5) or running out of memory (-rss_limit_mb) stops that target, writes the input
# to fuzz/.build/artifacts/<name>/ and makes the script fail.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(loader json paths cron)

flags=(-c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)
swift build --package-path "$here" "${flags[@]}"
bin="$(swift build --package-path "$here" "${flags[@]}" --show-bin-path)"

executable() {
    case "$1" in
        loader) echo FuzzLoader ;;
        json) echo FuzzJSON ;;
        paths) echo FuzzPaths ;;
        cron) echo FuzzCron ;;
        *) echo "unknown target '$1' (known: loader json paths cron)" >&2; return 1 ;;
    esac
}

# The Swift runtime's backtracer would get in the way of AddressSanitizer's report.
export SWIFT_BACKTRACE=enable=no

failed=()
for name in "${targets[@]}"; do
    program="$(executable "$name")"
    work="$here/.build/corpus/$name"
    artifacts="$here/.build/artifacts/$name"
    mkdir -p "$work" "$artifacts"
    echo "== $name ($program) for ${seconds}s"
    if ! "$bin/$program" "$work" "$here/corpus/$name" \
        -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$artifacts/" -print_final_stats=1; then
        failed+=("$name")
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzzing found problems in: ${failed[*]} (inputs in $here/.build/artifacts/)" >&2
    exit 1
fi
echo "fuzzing: no crash, no timeout in ${targets[*]}"
