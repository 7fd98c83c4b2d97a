#!/bin/sh
# An example collector: `shoal sweep` runs it once per host with the host name as its argument.
# Whatever it prints on stdout is stored as the host's result; a non-zero exit counts the host failed.
# A real collector would log in (ssh "$1" ...) and gather an inventory.
host="$1"
case "$host" in
  *.example.com) printf '{"host":"%s","kernel":"%s","collected_at":"%s"}\n' "$host" "$(uname -r)" "$(date -u +%FT%TZ)" ;;
  *) echo "unknown host $host" >&2; exit 2 ;;
esac
