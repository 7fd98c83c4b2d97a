#!/usr/bin/env python3
"""A Shoal/FOSSology spawned agent in Python: counts the words of each part's payload.

Started by the scheduler with --scheduler_start (and --jobId, --config, --userID, --groupID).
Writes "<payload>\t<words>" per part to --record=FILE when given.
"""
import sys
import threading

lock = threading.Lock()
items = 0
alive = 0


def send(line):
    with lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def heartbeat(stop):
    global alive
    while not stop.wait(30):
        send(f"HEART: {items} {alive}")
        alive = 0


def main():
    global items, alive
    record = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--record=")), None)
    if "--scheduler_start" not in sys.argv:
        print("usage: python-agent.py --scheduler_start (normally started by the Shoal scheduler)", file=sys.stderr)
        return 2
    send("VERSION: python-agent 1.0")
    send("OK")
    stop = threading.Event()
    threading.Thread(target=heartbeat, args=(stop,), daemon=True).start()
    for raw in sys.stdin:
        line = raw.rstrip("\n")
        if line == "END":
            send("OK")
        elif line == "CLOSE":
            break
        elif line.startswith("VERBOSE ") or line.startswith("VALUE:"):
            continue
        else:
            if record:
                with open(record, "a") as f:
                    f.write(f"{line}\t{len(line.split())}\n")
            items += 1
            alive = 1
    else:
        return 1  # stdin closed without CLOSE: the scheduler went away
    stop.set()
    send(f"HEART: {items} 0")
    send("BYE 0")
    return 0


if __name__ == "__main__":
    sys.exit(main())
