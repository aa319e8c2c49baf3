#!/usr/bin/env bash
# Prints the Debian mirror this machine's apt already uses for the release CODENAME (its first argument),
# read from its own apt sources (deb822 *.sources stanzas, then one-line sources.list entries), so that a
# script adding a suite of that release (bookworm-backports) goes to the same mirror. Exits 1 when none is found.
# APT_ETC (default /etc/apt) points it at another apt configuration folder (the tests' fixtures).
set -euo pipefail
codename="$1"
etc="${APT_ETC:-/etc/apt}"
shopt -s nullglob
for file in "$etc"/sources.list.d/*.sources; do
  # A stanza ends at a blank line; print its first URI when its Suites list the release itself.
  uri=$(awk -v suite="$codename" '
    /^[[:space:]]*$/ { if (uri != "" && found) { print uri; exit } uri = ""; found = 0; next }
    /^URIs:/ { uri = $2 }
    /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) found = 1 }
    END { if (uri != "" && found) print uri }
  ' "$file" | head -n 1)
  if [ -n "$uri" ]; then echo "$uri"; exit 0; fi
done
for file in "$etc"/sources.list "$etc"/sources.list.d/*.list; do
  [ -f "$file" ] || continue
  # deb [options] URI SUITE COMPONENTS…
  uri=$(awk -v suite="$codename" '
    $1 == "deb" { n = 2; if ($n ~ /^\[/) { while ($n !~ /\]$/) n++; n++ } if ($(n + 1) == suite) { print $n; exit } }
  ' "$file")
  if [ -n "$uri" ]; then echo "$uri"; exit 0; fi
done
echo "No apt source for Debian ${codename} found in ${etc} (sources.list.d/*.sources URIs, or deb lines of sources.list); add one (its mirror is used for ${codename}-backports too)." >&2
exit 1
