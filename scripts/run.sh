#!/bin/sh
# scripts/run.sh -- `make run`: serve the homeserver named in ./scribe.ini
# or $SCRIBE_CONFIG; without one, load examples/ into ./scribe-local.db and
# start the terminal console, so a newcomer can ask questions at once.
set -e

cfg=""
if [ -n "${SCRIBE_CONFIG:-}" ] && [ -f "$SCRIBE_CONFIG" ]; then
    cfg=$SCRIBE_CONFIG
elif [ -f ./scribe.ini ]; then
    cfg=./scribe.ini
fi

# A homeserver key with a value, in any section; comments ignored.
if [ -n "$cfg" ] && grep -Eq '^[[:space:]]*homeserver[[:space:]]*=[[:space:]]*[^[:space:];#]' "$cfg"; then
    echo "scribe: serving the homeserver configured in $cfg" >&2
    exec build/scribe --config "$cfg" run
fi

db=scribe-local.db
set -- examples/*.txt
if [ -f "$1" ]; then
    echo "scribe: loading examples/ into $db (records already there are skipped)" >&2
    # Duplicates are fine; a bad example must not stop the console.
    build/scribe --db "$db" ingest "$@" || true
fi
echo "scribe: no homeserver configured; starting the console on $db" >&2
exec build/scribe --db "$db" console
