#!/bin/sh
# htmlcheck.sh FILE.html SHOT.png - render a report with headless Chromium:
# a PNG screenshot to SHOT.png and the DOM after layout on stdout.  The
# profile is a throwaway directory and networking is off, so the check also
# proves the page needs nothing from outside.
set -u
html=$1 shot=$2
prof=$(mktemp -d "${TMPDIR:-/tmp}/lt-chromium.XXXXXX")
trap 'rm -rf "$prof"' EXIT
flags="--headless --no-sandbox --disable-gpu --disable-background-networking
    --disable-component-update --disable-sync --no-first-run --user-data-dir=$prof
    --window-size=1280,2000"
# shellcheck disable=SC2086
timeout 60 chromium $flags --screenshot="$shot" "file://$html" > /dev/null 2>&1
# shellcheck disable=SC2086
timeout 60 chromium $flags --dump-dom "file://$html"
