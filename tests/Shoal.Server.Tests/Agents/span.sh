#!/usr/bin/env bash
# Records "<payload> <start ns> <end ns> <pid> <type> <local|remote>" per part to --record=FILE, sleeping
# --delay=S per part; "crash-always" exits 1, "crash-once" exits 1 the first time (marker beside the record file);
# "emit:a,b,c" prints ITEM a, ITEM b, ITEM c (outputs that flow to generated jobs).
record=""; delay=0; type=""
for arg in "$@"; do
  case "$arg" in
    --record=*) record="${arg#--record=}" ;;
    --delay=*) delay="${arg#--delay=}" ;;
    --type=*) type="${arg#--type=}" ;;
  esac
done
where=local; [ -n "${SSH_CONNECTION:-}" ] && where=remote
echo "VERSION: span 1"; echo "OK"
while IFS= read -r line; do
  case "$line" in
    END) echo OK ;;
    CLOSE) echo "BYE 0"; exit 0 ;;
    crash-always) exit 1 ;;
    crash-once) if [ ! -e "$record.once" ]; then touch "$record.once"; exit 1; fi; echo "$line $(date +%s%N) $(date +%s%N) $$ $type $where" >> "$record" ;;
    emit:*) for item in $(echo "${line#emit:}" | tr ',' ' '); do echo "ITEM $item"; done ;;
    *)
      start=$(date +%s%N); sleep "$delay"; end=$(date +%s%N)
      echo "$line $start $end $$ $type $where" >> "$record" ;;
  esac
done
exit 1
