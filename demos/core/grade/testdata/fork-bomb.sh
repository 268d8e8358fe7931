#!/usr/bin/env bash
# Forks without bound: it starts processes in a loop and never stops.
while :; do
  sleep 1000000 &
done
