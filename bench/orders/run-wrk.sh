#!/usr/bin/env bash
# addOrder over HTTP on one hot account: builds the server (Release), starts it on a fresh temp data directory on
# 127.0.0.1, credits the demo account, runs wrk for a bounded time, checks the balance afterwards, and cleans up.
# Settings (environment): DURATION (10s), CONNECTIONS (64), THREADS (2), PORT (5091).
set -euo pipefail
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
PORT=${PORT:-5091}
CREDIT=10000000

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d -t waybillquota-wrk-XXXXXX)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

dotnet build -c Release -v quiet -nologo "$root/src/WaybillQuota.Server" >/dev/null
dll="$root/src/WaybillQuota.Server/bin/Release/net10.0/WaybillQuota.Server.dll"
base="http://127.0.0.1:$PORT"

(cd "$work" && exec env Logging__LogLevel__Default=Warning DOTNET_gcServer=1 dotnet "$dll" --urls "$base" >"$work/server.log" 2>&1) &
server_pid=$!
for _ in $(seq 1 100); do
  curl -sf "$base/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -sf "$base/healthz" >/dev/null || { echo "server did not start:"; cat "$work/server.log"; exit 1; }

creds="$work/data/demo-credentials.json"
appid=$(jq -r .appid "$creds"); secret=$(jq -r .secret "$creds"); key=$(jq -r .operator_key "$creds")
curl -sf -X POST "$base/ops/v1/accounts/YTO/xyz/credits" -H "Authorization: Bearer $key" -H "Idempotency-Key: wrk-credit" \
  -H 'Content-Type: application/json' -d "{\"amount\":$CREDIT}" >/dev/null
token=$(curl -sf "$base/cgi-bin/token?grant_type=client_credential&appid=$appid&secret=$secret" | jq -r .access_token)
quota() { curl -sf -X POST "$base/cgi-bin/express/business/quota/get?access_token=$token" -d '{"delivery_id":"YTO","biz_id":"xyz"}' | jq .quota_num; }

# Warm-up (JIT, connection pools, SQLite page cache); its figures are discarded.
wrk -t"$THREADS" -c"$CONNECTIONS" -d3s -s "$here/addorder.lua" "$base" -- "$token" >/dev/null
before=$(quota)

echo "# addOrder, one hot account: wrk -t$THREADS -c$CONNECTIONS -d$DURATION; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$here/addorder.lua" "$base" -- "$token"
after=$(quota)
echo "waybills spent: $((before - after)) (quota $before -> $after)"
