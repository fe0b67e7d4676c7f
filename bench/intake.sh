#!/usr/bin/env bash
# POS intake benchmark: batch throughput vs a raw-driver baseline, and
# single-order latency at a fixed rate, on MySQL then embedded SQLite.
# Usage: bash bench/intake.sh [--db mysql|sqlite|mysql,sqlite] [--parts batch,single]
#        [--reps 5] [--batch-size 5000] [--rate 200] [--duration 20]
#        [--connections 10] [--profile] [--dispatch]
# MySQL: MYSQL_HOST/PORT/USER/PASSWORD (default 127.0.0.1:3306, root, empty);
# the database BENCH_MYSQL_DB (default courier_hub_bench) is dropped and recreated.
# The bench starts and stops its own server processes (see bench/lib/server.ts).
set -euo pipefail
source "$(dirname "$0")/../bin/setup.sh"
exec node --import=@poppinss/ts-exec bench/intake_bench.ts "$@"
