#!/usr/bin/env bash
# The README's "Scaling out" figures: the API's p99 alone and while another process
# ingests a 200,000-entry notification (at the nightly's priority, Nice=5), on SQLite
# and on PostgreSQL, on this machine.
#   cmd/apiload/scaling.sh [postgres://postgres@127.0.0.1:5432/postgres]
# It builds settle and apiload, generates a world of 20,000 wallets, and for each rate
# (500, 1,000, 2,000 req/s, 15 s each) measures the API alone, then during an ingest
# of a fresh copy of the ledger. BACKENDS, RATES and MODES narrow it down, e.g. issue
# 21's signed reads: BACKENDS=sqlite RATES="3000 4000" MODES=alone cmd/apiload/scaling.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
admin=${1:-postgres://postgres@127.0.0.1:5432/postgres}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/settle" ./cmd/settle
go build -tags loadtest -o "$work/apiload" ./cmd/apiload
export SETTLE_SERVER_KEY=$(printf 'ab%.0s' $(seq 32))
settle() { "$work/settle" "$@"; }
settle gen --out "$work/world" --wallets 20000 --entries 200000 >/dev/null
mkdir -p "$work/bank"
mv "$work"/world/camt.05[34].* "$work/bank/"

for backend in ${BACKENDS:-sqlite postgres}; do
  if [ $backend = sqlite ]; then base="$work/base.db"; else base="${admin%/*}/settle_scaling_base"; psql "$admin" -qc "DROP DATABASE IF EXISTS settle_scaling_base" -c "CREATE DATABASE settle_scaling_base"; fi
  settle --db "$base" migrate >/dev/null
  settle --db "$base" --inbox "$work/world" run ingest --date 2026-11-20 >/dev/null 2>&1 || true # (withdrawals wait for money)
  mv "$work"/world/processed/* "$work/world/" # the next backend reads the same feeds
  for rate in ${RATES:-500 1000 2000}; do
    for mode in ${MODES:-alone ingest}; do
      # a fresh copy of the ledger for every run, so that each ingest has the same work
      if [ $backend = sqlite ]; then db="$work/run.db"; rm -f "$db"*; cp "$base" "$db"; if [ -e "$base-wal" ]; then cp "$base-wal" "$db-wal"; fi
      else db="${admin%/*}/settle_scaling_run"; psql "$admin" -qc "DROP DATABASE IF EXISTS settle_scaling_run WITH (FORCE)" -c "CREATE DATABASE settle_scaling_run TEMPLATE settle_scaling_base" \
        -c "CHECKPOINT"; fi # the copy went through the WAL: flush it now, not during the measurement
      read -r key secret < <(settle --db "$db" keys create --platform | paste -sd' ' | awk '{print $2, $8}')
      "$work/settle" --db "$db" serve --addr 127.0.0.1:18080 >/dev/null 2>&1 & srv=$!
      sleep 1
      if [ $mode = ingest ]; then
        rm -rf "$work/in" && mkdir -p "$work/in" && cp "$work"/bank/camt.054.* "$work/in/"
        t0=$SECONDS
        # at the priority deploy/settle-nightly.service gives the nightly (Nice=5)
        nice -n 5 "$work/settle" --db "$db" --inbox "$work/in" run ingest --date 2026-11-20 >"$work/ingest.out" 2>"$work/ingest.err" & ing=$!
        sleep 2
      fi
      out=$("$work/apiload" -url http://127.0.0.1:18080 -key "$key" -secret "$secret" -rate $rate -duration 15s | tail -1)
      echo "$backend $mode $rate: $out"
      if [ $mode = ingest ]; then
        # an ingest that did not run (a lease, a lock) would make the figure one of the API alone: say so
        wait $ing || { echo "  the ingest failed: $(tail -1 "$work/ingest.err")"; }
        echo "  (the ingest took $((SECONDS - t0)) s: $(tail -1 "$work/ingest.out" | cut -c1-120))"
      fi
      kill $srv; wait $srv 2>/dev/null || true
    done
  done
done
if [[ " ${BACKENDS:-postgres} " == *" postgres "* ]]; then
  psql "$admin" -qc "DROP DATABASE IF EXISTS settle_scaling_run WITH (FORCE)" -c "DROP DATABASE IF EXISTS settle_scaling_base WITH (FORCE)"
fi
