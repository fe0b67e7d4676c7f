#!/usr/bin/env bash
# Carrier HTTP client benchmark: client CPU per request of the host's proxied fetch,
# global fetch (before) vs the keep-alive undici client (now), against a local
# node:http server in a child process. Results: docs/performance.md.
# Usage: bash bench/http_client.sh [--requests 20000] [--inflight 64] [--rounds 3] [--warmup 2000]
set -euo pipefail
source "$(dirname "$0")/../bin/setup.sh"
exec node --import=@poppinss/ts-exec bench/http_client.ts "$@"
