#!/bin/sh
# fuzz/run.sh -- run each libFuzzer target for FUZZ_SECONDS (default 60),
# one after the other, and print executions and findings per target.
# Usage: fuzz/run.sh build/fuzz/fuzz_record ...   (make fuzz passes them)
# Seeds come from fuzz/corpus/<target>/ (read only), words from
# fuzz/<target>.dict; inputs the fuzzer finds go to
# build/fuzz/corpus/<target>/, crash/timeout/leak artefacts to
# build/fuzz/<target>-*. Exits 1 when any target found something.
# Env: FUZZ_SECONDS, FUZZ_MAX_LEN (65536), FUZZ_RSS_MB (2048),
# FUZZ_TIMEOUT (10 s per input), FUZZ_ARGS (extra libFuzzer flags).

secs=${FUZZ_SECONDS:-60}
max_len=${FUZZ_MAX_LEN:-65536}
rss=${FUZZ_RSS_MB:-2048}
per_input=${FUZZ_TIMEOUT:-10}
out=build/fuzz
total_findings=0
summary=""

export ASAN_OPTIONS="detect_leaks=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"

for bin in "$@"; do
    name=$(basename "$bin")             # fuzz_record
    target=${name#fuzz_}                # record
    corpus=$out/corpus/$target
    log=$out/$name.log
    mkdir -p "$corpus"
    before=$(ls "$out" | grep -c "^$name-" || true)
    echo "fuzz: $name for ${secs}s (log: $log)"
    dict=""
    [ -f "fuzz/$target.dict" ] && dict="-dict=fuzz/$target.dict"
    # shellcheck disable=SC2086
    "$bin" $dict -max_total_time="$secs" -max_len="$max_len" -rss_limit_mb="$rss" \
        -timeout="$per_input" -print_final_stats=1 \
        -artifact_prefix="$out/$name-" ${FUZZ_ARGS:-} \
        "$corpus" "fuzz/corpus/$target" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    after=$(ls "$out" | grep -c "^$name-" || true)
    found=$((after - before))
    if [ "$rc" -ne 0 ] && [ "$found" -eq 0 ]; then
        found=1                         # died without writing an artefact
    fi
    total_findings=$((total_findings + found))
    line=$(printf '%-14s %12s executions  %d finding(s)' "$name" "${execs:-?}" "$found")
    summary="$summary$line
"
    echo "$line"
    if [ "$found" -ne 0 ]; then
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|.*contract broken|artifact_prefix|Test unit written)' \
            "$log" | head -n 8 | sed 's/^/    /'
    fi
done

echo
echo "fuzz summary (${secs}s per target):"
printf '%s' "$summary"
[ "$total_findings" -eq 0 ] || { echo "$total_findings finding(s): see $out/"; exit 1; }
exit 0
