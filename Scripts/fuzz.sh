#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ (every reader of outside bytes) with the fuzzer and
# address sanitizers, and runs each for a number of executions, starting from its committed
# corpus in Fuzz/Corpus/<target>/. A crash, leak, timeout or out-of-memory stops that
# target, leaves the reproducer in the work folder and makes the script fail.
#
#   Scripts/fuzz.sh                      # every target, 1,000,000 executions each, recorded
#   Scripts/fuzz.sh --runs 0 --no-record # the committed corpora only (what CI runs)
#   Scripts/fuzz.sh --runs 50000 png     # some targets
#   Scripts/fuzz.sh --seconds 300        # at most 5 minutes per target (a busy machine)
#
# With --runs > 0 the executions, coverage and findings of each target are appended to
# docs/reliability_results.jsonl (one line for the whole run).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=1000000
seconds=0
record=1
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs="$2"; shift 2 ;;
        --seconds) seconds="$2"; shift 2 ;;
        --no-record) record=0; shift ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) targets+=("$1"); shift ;;
    esac
done
if [ ${#targets[@]} -eq 0 ]; then
    targets=(idx png jpeg safetensors npy runfiles attributes labels imagefolder archive)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/swiftgan-fuzz-XXXXXX")
start=$(date +%s)
swift build --package-path Fuzz -c release --sanitize fuzzer --sanitize address > "$work/build.log" 2>&1 \
    || { grep -E "error" "$work/build.log" >&2; echo "the fuzz targets do not build (log: $work/build.log)" >&2; exit 1; }
echo "fuzz targets built in $(( $(date +%s) - start )) s"
bin=Fuzz/.build/release
failed=0
entries=()
for t in "${targets[@]}"; do
    mkdir -p "$work/$t/corpus"
    log="$work/$t/log"
    start=$(date +%s)
    set +e
    # New inputs go to the work corpus; the committed one is only read. A reader that needs
    # more than 2 GB, or 10 s for one input, counts as a finding.
    # Swift's own crash handler is off so that a trap is reported by libFuzzer, not garbled.
    (cd "$work/$t" && SWIFT_BACKTRACE=enable=no "$OLDPWD/$bin/fuzz-$t" -runs="$runs" -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 -max_total_time="$seconds" \
        -artifact_prefix="$work/$t/" -print_final_stats=1 corpus "$OLDPWD/Fuzz/Corpus/$t") > "$log" 2>&1
    status=$?
    set -e
    elapsed=$(( $(date +%s) - start ))
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1 || true)
    coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2 || true)
    finding=""
    if [ $status -ne 0 ]; then
        failed=1
        finding=$(grep -m1 -oE "Fatal error: .*|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer): [a-zA-Z -]+" "$log" || echo "exit status $status")
        artifact=$(ls "$work/$t"/{crash,leak,timeout,oom,slow-unit}-* 2>/dev/null | head -1 || true)
        echo "fuzz-$t: FAILED after ${executions:-?} executions: $finding (reproducer: ${artifact:-none}; log: $log)" >&2
    else
        echo "fuzz-$t: ${executions:-0} executions in ${elapsed} s, coverage ${coverage:-0} edges, nothing found"
    fi
    crashes=0 note=""
    if [ $status -ne 0 ]; then crashes=1; note=", \"finding\": \"$(echo "$finding" | tr -d '"\\')\""; fi
    entries+=("\"$t\": {\"executions\": ${executions:-0}, \"seconds\": $elapsed, \"coverage_edges\": ${coverage:-0}, \"crashes\": $crashes$note}")
done

if [ "$record" = 1 ] && [ "$runs" != 0 ]; then
    cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
    joined=$(printf '%s, ' "${entries[@]}")
    printf '{"date": "%s", "what": "Scripts/fuzz.sh --runs %s --seconds %s (libFuzzer, -sanitize=fuzzer,address, release; -rss_limit_mb=2048 -timeout=10), from Fuzz/Corpus", "commit": "%s", "cpu": "%s", "cores": %s, "targets": {%s}}\n' \
        "$(date -u +%F)" "$runs" "$seconds" "$(git rev-parse --short HEAD)" "$cpu" "$(nproc)" "${joined%, }" >> docs/reliability_results.jsonl
fi
[ $failed = 0 ] && rm -rf "$work"
exit $failed
