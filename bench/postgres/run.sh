#!/usr/bin/env bash
# PostgreSQL benchmarks, self-contained and bounded: starts a throwaway PostgreSQL cluster (fsync on, as in
# production) and the server instances on 127.0.0.1, measures, and stops everything on exit.
#   1. durable spends/s on one hot account: group commit (MaxBatch=256) vs one transaction per spend (MaxBatch=1);
#   2. getQuota requests/s with wrk through one instance, then through three instances at once (summed).
# Usage: bench/postgres/run.sh [seconds per measurement, default 10]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
SECONDS_PER_RUN=${1:-10}
WRK=${WRK:-/usr/bin/wrk}
BIN=$(pg_config --bindir 2>/dev/null || true)
[ -x "$BIN/initdb" ] || BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$BIN/initdb" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }

work=$(mktemp -d /tmp/waybillquota-bench-pg.XXXXXX)
pids=()
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  as_pg "$BIN/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
[ "$(id -u)" = 0 ] && chown postgres: "$work"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PGPORT=$(free_port)
as_pg "$BIN/initdb" -D "$work/data" -U postgres -A trust -E UTF8 --locale=C >/dev/null
as_pg "$BIN/pg_ctl" -D "$work/data" -l "$work/pg.log" -w -o "-c listen_addresses=127.0.0.1 -c port=$PGPORT -c unix_socket_directories=$work -c max_connections=300 -c shared_buffers=256MB" start >/dev/null
ADMIN="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=postgres"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); PostgreSQL $("$BIN/postgres" --version | awk '{print $3}'), fsync on, synchronous_commit on"

dotnet build -c Release -v q -nologo bench/postgres/SpendBench >/dev/null
dotnet build -c Release -v q -nologo src/WaybillQuota.Server >/dev/null

if [ -z "${SKIP_SPENDS:-}" ]; then
  echo "== durable spends on one hot account (store level, 256 concurrent writers, ${SECONDS_PER_RUN}s each)"
  dotnet bench/postgres/SpendBench/bin/Release/net10.0/SpendBench.dll "$ADMIN" "$SECONDS_PER_RUN" 256
fi

echo "== getQuota through wrk (2 threads, 64 connections per instance, ${SECONDS_PER_RUN}s)"
psql -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "CREATE DATABASE quota" postgres
CONN="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=quota"
SERVER=src/WaybillQuota.Server/bin/Release/net10.0/WaybillQuota.Server.dll
start_instance() { # port
  (cd "$work" && DOTNET_gcServer=0 Logging__LogLevel__Default=Warning exec dotnet "$root/$SERVER" --urls "http://127.0.0.1:$1" \
    --Storage:Provider=Postgres "--Storage:ConnectionString=$CONN" --Demo:Enabled=true "--Demo:CredentialsPath=$work/demo.json" \
    >"$work/server-$1.log" 2>&1) &
  pids+=($!)
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "instance on $1 did not start" >&2; cat "$work/server-$1.log" >&2; exit 1
}
P1=$(free_port); start_instance "$P1"
APPID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["appid"])' "$work/demo.json")
SECRET=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["secret"])' "$work/demo.json")
TOKEN=$(curl -s "http://127.0.0.1:$P1/cgi-bin/token?grant_type=client_credential&appid=$APPID&secret=$SECRET" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
PATHQ="/cgi-bin/express/business/quota/get?access_token=$TOKEN"
curl -s -X POST "http://127.0.0.1:$P1$PATHQ" -d '{"delivery_id":"YTO","biz_id":"xyz"}'; echo
rps() { grep "Requests/sec" "$1" | awk '{print $2}'; }
"$WRK" -t2 -c64 -d2s -s bench/postgres/getquota.lua "http://127.0.0.1:$P1$PATHQ" >/dev/null # warm-up
"$WRK" -t2 -c64 -d"${SECONDS_PER_RUN}s" --latency -s bench/postgres/getquota.lua "http://127.0.0.1:$P1$PATHQ" >"$work/wrk-1.txt"
grep -E "Requests/sec|Non-2xx|50%|99%" "$work/wrk-1.txt" | sed 's/^/  one instance: /'

P2=$(free_port); start_instance "$P2"
P3=$(free_port); start_instance "$P3"
for p in "$P2" "$P3"; do "$WRK" -t1 -c16 -d2s -s bench/postgres/getquota.lua "http://127.0.0.1:$p$PATHQ" >/dev/null; done
wrks=()
for p in "$P1" "$P2" "$P3"; do
  "$WRK" -t2 -c64 -d"${SECONDS_PER_RUN}s" -s bench/postgres/getquota.lua "http://127.0.0.1:$p$PATHQ" >"$work/wrk-3-$p.txt" &
  wrks+=($!)
done
wait "${wrks[@]}"
total=0
for p in "$P1" "$P2" "$P3"; do
  r=$(rps "$work/wrk-3-$p.txt"); echo "  three instances, port $p: $r req/s $(grep -E 'Non-2xx' "$work/wrk-3-$p.txt" || true)"
  total=$(python3 -c "print(round($total + $r))")
done
echo "  one instance: $(rps "$work/wrk-1.txt") req/s; three instances together: $total req/s"
