#!/bin/sh
# Entry point of the app image (web, worker, beat, bot, migrate).
# Prometheus multiprocess mode: every process of this container writes its samples under
# PROMETHEUS_MULTIPROC_DIR; files left by an earlier run would be counted again, so start empty.
set -eu
if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
    mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
    find "$PROMETHEUS_MULTIPROC_DIR" -mindepth 1 -maxdepth 1 -name '*.db' -delete
fi
exec "$@"
