#!/usr/bin/env bash
# Never stops reading after CLOSE and never says BYE: killed by the watchdog, fails.
echo "VERSION: test"; echo "OK"
while true; do read -r line || sleep 0.2; done
