#!/usr/bin/env bash
# Sets NOKILL and stays silent longer than the heartbeat timeout, then finishes: passes, not killed.
echo "VERSION: test"; echo "SPECIAL: 1 1"; sleep "${NO_UPDATE_SLEEP:-3}"; echo "OK"
while read -r line; do [ "$line" = CLOSE ] && { echo "BYE 0"; exit 0; }; [ "$line" = END ] && echo OK; done
