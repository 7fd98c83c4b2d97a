#!/usr/bin/env bash
# A Shoal/FOSSology spawned agent in bash: reads one data line per part, answers OK after END,
# says BYE 0 on CLOSE. Set SHOAL_AGENT_DELAY (seconds per part) to simulate work and
# SHOAL_AGENT_RECORD=FILE or --record=FILE to append "<payload> <pid>" for every part processed.
set -u
delay="${SHOAL_AGENT_DELAY:-}"
record="${SHOAL_AGENT_RECORD:-}"
for arg in "$@"; do
  case "$arg" in
    --delay=*) delay="${arg#--delay=}" ;;
    --record=*) record="${arg#--record=}" ;;
  esac
done
echo "VERSION: noop-agent 1.0"
echo "OK"
items=0
while IFS= read -r line; do
  case "$line" in
    END) echo "OK" ;;
    CLOSE) echo "HEART: $items 0"; echo "BYE 0"; exit 0 ;;
    VERBOSE*|VALUE:*) ;;
    *)
      if [ -n "$delay" ]; then sleep "$delay"; fi
      if [ -n "$record" ]; then printf '%s %s\n' "$line" "$$" >> "$record"; fi
      items=$((items + 1))
      if [ $((items % 50)) -eq 0 ]; then echo "HEART: $items 1"; fi
      ;;
  esac
done
# stdin closed without CLOSE: the scheduler went away.
exit 1
