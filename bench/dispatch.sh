#!/usr/bin/env bash
# Dispatch benchmark (issue 6 item 7): a 10,000-order batch from POS intake to a
# carrier, against the carrier sandbox on loopback, in one run (~9 min): a no-hub
# baseline, MySQL + Redis (1 web + 1, then 2 `node ace dispatch:work` workers) and
# embedded SQLite (one hub process). Results and analysis: docs/performance.md.
# Usage: bash bench/dispatch.sh [--phases baseline,mysql,sqlite] [--workers 1,2]
#        [--orders 10000] [--batch-size 5000] [--warmup 100] [--concurrency 64]
#        [--speed 2] [--phase-timeout 100] [--accept-wait 20] [--profile]
# --phase-timeout bounds each hub phase (seconds after the first POST; rates are
# over that window when it cuts in); --profile writes CPU profiles of the measured
# window of every hub and sandbox process (V8 inspector on 127.0.0.1) and prints
# a summary. MySQL: MYSQL_HOST/PORT/USER/PASSWORD (default 127.0.0.1:3306, root,
# empty); the database BENCH_MYSQL_DB (default dispatch_bench) is dropped and
# recreated. Redis: BENCH_REDIS_URL (default redis://127.0.0.1:6379); each phase
# uses its own queue name and removes it afterwards. Every process the bench starts
# is stopped by PID, also on failure or Ctrl-C. Results: stdout, and
# tmp/bench/dispatch-<run>-results.json; process logs in tmp/bench/dispatch-<run>-*.
set -euo pipefail
source "$(dirname "$0")/../bin/setup.sh"
exec node --import=@poppinss/ts-exec bench/dispatch_bench.ts "$@"
