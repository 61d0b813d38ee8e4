#!/bin/sh
# tests/run-tests.sh -- run scribe's tests: each unit test binary (built
# with sanitizers), then the end-to-end tests against the test homeserver
# (scribe built with sanitizers), then the end-to-end tests again with the
# plain -O2 build under valgrind (any error or definite/indirect leak
# fails), then the acceptance test on ../shared (skipped when absent).
# Usage: run-tests.sh [unit|e2e|valgrind|acceptance]   (default: all)
# SCRIBE_VALGRIND_TESTS="crash fault_matrix" limits the valgrind pass to
# those tests/e2e/test_NAME.py; SCRIBE_VALGRIND=0 skips it.
# Prints one line per test program and "N passed, N failed" at the end.

what=${1:-all}
passed=0
failed=0
skipped=0
failures=""
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
LOGDIR=build/test-logs
mkdir -p "$LOGDIR"

run_one() {   # name, timeout seconds, command...
    name=$1; limit=$2; shift 2
    log="$LOGDIR/$(echo "$name" | tr '/ ' '__').log"
    start=$(date +%s)
    timeout "$limit" "$@" >"$log" 2>&1
    rc=$?
    secs=$(( $(date +%s) - start ))
    if [ $rc -eq 0 ]; then
        if grep -q '^SKIP' "$log"; then
            skipped=$((skipped + 1))
            echo "skip  $name ($(grep -m1 '^SKIP' "$log"))"
        else
            passed=$((passed + 1))
            echo "ok    $name (${secs}s)"
        fi
    else
        failed=$((failed + 1))
        failures="$failures $name"
        echo "FAIL  $name (exit $rc after ${secs}s; log: $log)"
        tail -n 40 "$log" | sed 's/^/      /'
    fi
}

if [ "$what" = all ] || [ "$what" = unit ]; then
    for t in build/asan/tests/test_*; do
        [ -x "$t" ] || continue
        case "$t" in *.d|*.o) continue ;; esac
        run_one "unit/$(basename "$t")" 300 "$t"
    done
fi

if [ "$what" = all ] || [ "$what" = e2e ]; then
    for t in tests/e2e/test_*.py; do
        [ -f "$t" ] || continue
        run_one "e2e/$(basename "$t" .py)" 600 python3 "$t"
    done
fi

VALGRIND="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99"
if { [ "$what" = all ] && [ "${SCRIBE_VALGRIND:-1}" != 0 ]; } || [ "$what" = valgrind ]; then
    if ! command -v valgrind >/dev/null 2>&1; then
        skipped=$((skipped + 1))
        echo "skip  valgrind (valgrind is not installed: scripts/install-deps.sh installs it)"
    elif [ ! -x build/scribe ]; then
        failed=$((failed + 1))
        failures="$failures valgrind"
        echo "FAIL  valgrind (no build/scribe: run make)"
    else
        for t in tests/e2e/test_*.py; do
            [ -f "$t" ] || continue
            name=$(basename "$t" .py)
            if [ -n "${SCRIBE_VALGRIND_TESTS:-}" ]; then
                case " $SCRIBE_VALGRIND_TESTS " in *" ${name#test_} "*) ;; *) continue ;; esac
            fi
            run_one "valgrind/$name" 900 env SCRIBE_BIN=build/scribe \
                SCRIBE_WRAPPER="$VALGRIND" SCRIBE_E2E_TIME_SCALE=4 python3 "$t"
        done
    fi
fi

if [ "$what" = all ] || [ "$what" = acceptance ]; then
    if [ -f tests/unseen_check.py ]; then
        run_one "unseen-records" 300 python3 tests/unseen_check.py
    fi
    if [ -f tests/acceptance.py ]; then
        run_one "acceptance" 600 python3 tests/acceptance.py
        sed -n '1,200p' "$LOGDIR/acceptance.log"
    fi
fi

echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || { echo "failed:$failures"; exit 1; }
exit 0
