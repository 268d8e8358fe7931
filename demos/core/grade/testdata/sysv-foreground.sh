#!/usr/bin/env bash
# Never detaches: it does its work in the foreground, like a normal program.
echo "serving in the foreground (press ^C to stop)"
exec sleep 1000000
