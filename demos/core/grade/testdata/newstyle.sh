#!/usr/bin/env bash
# A new-style daemon in bash: stays in the foreground, logs to stderr, exits
# on SIGTERM. It does not send READY=1 (bash cannot write to a datagram socket).
echo "listening" >&2
trap 'echo "stopping on SIGTERM" >&2; kill $child 2>/dev/null; exit 0' TERM
sleep 1000000 & child=$!
while kill -0 "$child" 2>/dev/null; do wait "$child" || true; done
