#!/usr/bin/env bash
# getQuota load check (issue 2, item 8): our server against a Kestrel app that answers a constant.
#
# Builds both in Release, starts them on loopback with a throwaway data directory, drives each with the same wrk
# command in alternating rounds (baseline, ours, baseline, ours, ...), prints req/s and p50/p99 latency of every round
# and the medians, and the ratio ours/baseline. Bounded in time; stops everything it started.
#
# Usage: bench/getquota/run.sh            (from anywhere; see bench/README.md)
# Knobs (environment): ROUNDS=3 DURATION=15s WARMUP=10s WARMUP_PASSES=2 THREADS=2 CONNECTIONS=64 SERVER_CPUS=0 WRK_CPUS=1
#                      OURS_PORT=5180 BASE_PORT=5181 GOAL=0.85 MAX_SECONDS=600 NO_BUILD=1 (reuse the last build)
#                      VERIFY=1 (wrk checks every answer body; costs wrk CPU) OURS_DLL=path (A/B another build of ours)
#                      NO_CALL_COUNTING_DELAY=1 (both servers promote hot code to tier 1 without the runtime's delay)
#                      DISTINCT_TARGETS=1 (every request adds &n=<counter> to the query, so no two request targets are
#                      the same: Kestrel's string reuse never applies, and ours hashes the token on every call)
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-10s}
WARMUP_PASSES=${WARMUP_PASSES:-2}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
SERVER_CPUS=${SERVER_CPUS:-0}
WRK_CPUS=${WRK_CPUS:-1}
OURS_PORT=${OURS_PORT:-5180}
BASE_PORT=${BASE_PORT:-5181}
GOAL=${GOAL:-0.85}
MAX_SECONDS=${MAX_SECONDS:-600}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ROUTE=/cgi-bin/express/business/quota/get
BODY='{"delivery_id":"YTO","biz_id":"xyz"}'
EXPECTED='{"quota_num":210}'
CONTENT_TYPE='application/json; encoding=utf-8'

command -v wrk >/dev/null || { echo "wrk not found (apt-get install wrk)" >&2; exit 2; }
command -v curl >/dev/null || { echo "curl not found" >&2; exit 2; }
command -v taskset >/dev/null || { echo "taskset not found (util-linux)" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/getquota-bench.XXXXXX")
PIDS=()
WATCHDOG=

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
    [[ -n "$WATCHDOG" ]] && kill "$WATCHDOG" 2>/dev/null || true
    if [[ $status -ne 0 && -d "$WORK" ]]; then
        echo "--- server logs (failed run) ---" >&2
        tail -n 20 "$WORK"/*.log >&2 2>/dev/null || true
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'echo "getquota bench: stopped (time limit or signal)" >&2; exit 124' TERM

# Hard time limit for the whole run, builds included.
# (Each step is bounded too: builds by 300 s, each wrk by 120 s; bash acts on the signal once the step returns.)
( trap 'kill "$nap" 2>/dev/null; exit 0' TERM; sleep "$MAX_SECONDS" & nap=$!; wait "$nap" && kill -TERM $$ 2>/dev/null ) &
WATCHDOG=$!

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# The value of a top-level string or number field of a flat JSON object.
json_field() { sed -nE "s/.*\"$1\"[[:space:]]*:[[:space:]]*\"?([^\",}]*)\"?.*/\1/p" <<<"$2"; }

wait_ready() { # url name: up to 30 s for any HTTP answer
    for _ in $(seq 300); do
        [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$1" 2>/dev/null || true)" != 000 ]] && return 0
        sleep 0.1
    done
    echo "$2 did not become ready at $1" >&2
    return 1
}

if [[ -z "${NO_BUILD:-}" ]]; then
    log "building Release (server, baseline)"
    timeout 300 dotnet build "$ROOT/src/WaybillQuota.Server/WaybillQuota.Server.csproj" -c Release --nologo -v q -clp:ErrorsOnly >"$WORK/build.log" || { cat "$WORK/build.log" >&2; exit 2; }
    timeout 300 dotnet build "$ROOT/bench/Baseline/Baseline.csproj" -c Release --nologo -v q -clp:ErrorsOnly >>"$WORK/build.log" || { cat "$WORK/build.log" >&2; exit 2; }
fi
OURS_DLL=${OURS_DLL:-"$ROOT/src/WaybillQuota.Server/bin/Release/net10.0/WaybillQuota.Server.dll"}
BASE_DLL="$ROOT/bench/Baseline/bin/Release/net10.0/Baseline.dll"
[[ -f "$OURS_DLL" && -f "$BASE_DLL" ]] || { echo "Release build output missing" >&2; exit 2; }

export ASPNETCORE_ENVIRONMENT=Production DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Both servers get the same runtime settings: the runtime's defaults, or with NO_CALL_COUNTING_DELAY=1 call counting
# for tier-1 promotion from the start (DOTNET_TC_CallCountingDelayMs=0), to tell warm-up from steady-state cost
# (bench/RESULTS.md, getQuota).
if [[ -n "${NO_CALL_COUNTING_DELAY:-}" ]]; then export DOTNET_TC_CallCountingDelayMs=0; fi
LOGLEVEL=(--Logging:LogLevel:Default=Warning --Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning)

log "starting ours on 127.0.0.1:$OURS_PORT and the baseline on 127.0.0.1:$BASE_PORT (CPU $SERVER_CPUS)${DOTNET_TC_CallCountingDelayMs:+, both with DOTNET_TC_CallCountingDelayMs=0}"
mkdir -p "$WORK/ours" "$WORK/base"
(cd "$WORK/ours" && exec taskset -c "$SERVER_CPUS" dotnet "$OURS_DLL" --urls "http://127.0.0.1:$OURS_PORT" "${LOGLEVEL[@]}" \
    --Demo:Enabled=true --Storage:SqlitePath="$WORK/ours/data/waybillquota.db" \
    --Demo:CredentialsPath="$WORK/ours/data/demo-credentials.json" >"$WORK/ours.log" 2>&1) &
OURS_PID=$!
PIDS+=("$OURS_PID")
(cd "$WORK/base" && exec taskset -c "$SERVER_CPUS" dotnet "$BASE_DLL" --urls "http://127.0.0.1:$BASE_PORT" "${LOGLEVEL[@]}" \
    >"$WORK/base.log" 2>&1) &
BASE_PID=$!
PIDS+=("$BASE_PID")
wait_ready "http://127.0.0.1:$OURS_PORT/healthz" ours
OURS="http://127.0.0.1:$OURS_PORT"
BASE="http://127.0.0.1:$BASE_PORT"
for _ in $(seq 50); do [[ -s "$WORK/ours/data/demo-credentials.json" ]] && break; sleep 0.1; done
DEMO=$(tr -d '\n' <"$WORK/ours/data/demo-credentials.json")
OPERATOR_KEY=$(json_field operator_key "$DEMO")
PASSWORD=$(json_field account_password "$DEMO")

# The demo app's daily call budget (1,000,000) would run out within a run, and 45009 answers are cheaper than real
# ones. So the load runs as a second app with a budget it cannot exhaust, bound to the demo's YTO/xyz account through
# the public APIs (operator API, bindAccount): the same read path as any app.
APP=$(curl -fsS --max-time 10 -X POST "$OURS/ops/v1/apps" -H "Authorization: Bearer $OPERATOR_KEY" \
    -H 'Content-Type: application/json' -d '{"name":"getquota bench","daily_budget":1000000000000}')
APPID=$(json_field appid "$APP")
SECRET=$(json_field secret "$APP")
TOKEN_JSON=$(curl -fsS --max-time 10 "$OURS/cgi-bin/token?grant_type=client_credential&appid=$APPID&secret=$SECRET")
TOKEN=$(json_field access_token "$TOKEN_JSON")
[[ -n "$TOKEN" ]] || { echo "no token: $TOKEN_JSON" >&2; exit 1; }
BIND=$(curl -fsS --max-time 30 -X POST "$OURS/cgi-bin/express/business/account/bind?access_token=$TOKEN" \
    -d "{\"type\":\"bind\",\"delivery_id\":\"YTO\",\"biz_id\":\"xyz\",\"password\":\"$PASSWORD\"}")
[[ "$(json_field errcode "$BIND")" == 0 ]] || { echo "bind failed: $BIND" >&2; exit 1; }

OURS_URL="$OURS$ROUTE?access_token=$TOKEN"
BASE_URL="$BASE$ROUTE?access_token=$TOKEN"
wait_ready "$BASE/" baseline

# Both must answer the same bytes with the same content type before anything is measured.
check() { # name url
    local headers body type
    headers="$WORK/$1.headers"
    body=$(curl -sS --max-time 5 -D "$headers" -X POST -H 'Content-Type: application/json' -d "$BODY" "$2")
    type=$(sed -nE 's/^[Cc]ontent-[Tt]ype: *([^\r]*)\r?$/\1/p' "$headers")
    if [[ "$body" != "$EXPECTED" || "$type" != "$CONTENT_TYPE" ]]; then
        echo "$1 answered [$type] $body, expected [$CONTENT_TYPE] $EXPECTED" >&2
        return 1
    fi
}
check ours "$OURS_URL"
check baseline "$BASE_URL"
log "both answer $EXPECTED with $CONTENT_TYPE"

# The POST body, and a per-thread count of answers that are not the expected one (a 200 with an errcode is an error
# here, so a status check alone would not do).
cat >"$WORK/post.lua" <<EOF
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
EOF
if [[ -n "${DISTINCT_TARGETS:-}" ]]; then
    cat >>"$WORK/post.lua" <<'EOF'
local n = 0
function request()
  n = n + 1
  return wrk.format(nil, wrk.path .. "&n=" .. n)
end
EOF
fi
if [[ -n "${VERIFY:-}" ]]; then
    cat >>"$WORK/post.lua" <<EOF
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body) if body ~= '$EXPECTED' then bad = bad + 1 end end
function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + t:get("bad") end
  io.write(string.format("Bad answers: %d\n", n))
end
EOF
fi

WRK=(taskset -c "$WRK_CPUS" wrk -t"$THREADS" -c"$CONNECTIONS" --latency -s "$WORK/post.lua")

# Latency as wrk prints it (850.00us, 1.76ms, 1.02s) in milliseconds.
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n *= 1; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }

# CPU time (user + system, clock ticks) the process has used so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

run_wrk() { # name url duration pid -> "rps p50 p99 cpu_us_per_request" on stdout, full output in $WORK
    local out="$WORK/wrk-$1-$RANDOM.txt" rps p50 p99 errors t0 t1 n cpu
    t0=$(cpu_ticks "$4")
    timeout 120 "${WRK[@]}" -d"$3" "$2" >"$out" 2>&1
    t1=$(cpu_ticks "$4")
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
    p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
    p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
    errors=$(grep -E '^(  Socket errors|  Non-2xx|Bad answers: [1-9])' "$out" || true)
    [[ -n "$rps" ]] || { cat "$out" >&2; return 1; }
    [[ -z "$errors" ]] || echo "  $1: $errors" >&2
    n=$(awk '/requests in/ { print $1 }' "$out")
    cpu=$(awk -v a="$t0" -v b="$t1" -v n="$n" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", (b - a) / hz * 1e6 / n }')
    echo "$rps $p50 $p99 $cpu"
}

median() { tr ' ' '\n' | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# Tiered compilation promotes a hot method to optimized code only after its call counting, which waits until no new
# code has been activated for a while: on one core, under load, that happens in the first quiet moment after the
# load, and the promoted code is in place at the next load. So each server is warmed up in WARMUP_PASSES passes,
# alternating (the other server's pass is its quiet moment), and every measured round meets final code on both.
log "warm-up: $WARMUP_PASSES passes of $WARMUP each, alternating (JIT, tiered compilation, connection pools)"
for _ in $(seq "$WARMUP_PASSES"); do
    run_wrk baseline "$BASE_URL" "$WARMUP" "$BASE_PID" >/dev/null
    run_wrk ours "$OURS_URL" "$WARMUP" "$OURS_PID" >/dev/null
done

declare -a B_RPS B_P50 B_P99 B_CPU O_RPS O_P50 O_P99 O_CPU
printf '\n%-6s %-9s %12s %9s %9s %13s\n' round server 'req/s' 'p50 ms' 'p99 ms' 'cpu us/req'
for round in $(seq "$ROUNDS"); do
    for who in baseline ours; do
        if [[ $who == baseline ]]; then url=$BASE_URL pid=$BASE_PID; else url=$OURS_URL pid=$OURS_PID; fi
        result=$(run_wrk "$who" "$url" "$DURATION" "$pid")
        read -r rps p50 p99 cpu <<<"$result"
        printf '%-6s %-9s %12.0f %9s %9s %13s\n' "$round" "$who" "$rps" "$p50" "$p99" "$cpu"
        if [[ $who == baseline ]]; then B_RPS+=("$rps"); B_P50+=("$p50"); B_P99+=("$p99"); B_CPU+=("$cpu")
        else O_RPS+=("$rps"); O_P50+=("$p50"); O_P99+=("$p99"); O_CPU+=("$cpu"); fi
    done
done

# The server must still answer correctly after the load (no budget ran out, nothing degraded).
check ours "$OURS_URL"

b_rps=$(median <<<"${B_RPS[*]}"); o_rps=$(median <<<"${O_RPS[*]}")
ratio=$(awk -v o="$o_rps" -v b="$b_rps" 'BEGIN { printf "%.3f", o / b }')
printf '\n%-9s %12s %9s %9s %13s   (median of %s rounds of %s, wrk -t%s -c%s, servers on CPU %s, wrk on CPU %s%s)\n' \
    server 'req/s' 'p50 ms' 'p99 ms' 'cpu us/req' "$ROUNDS" "$DURATION" "$THREADS" "$CONNECTIONS" "$SERVER_CPUS" "$WRK_CPUS" \
    "${DISTINCT_TARGETS:+, a distinct request target per request}"
b_cpu=$(median <<<"${B_CPU[*]}"); o_cpu=$(median <<<"${O_CPU[*]}")
printf '%-9s %12.0f %9s %9s %13s\n' baseline "$b_rps" "$(median <<<"${B_P50[*]}")" "$(median <<<"${B_P99[*]}")" "$b_cpu"
printf '%-9s %12.0f %9s %9s %13s\n' ours "$o_rps" "$(median <<<"${O_P50[*]}")" "$(median <<<"${O_P99[*]}")" "$o_cpu"
verdict=$(awk -v r="$ratio" -v g="$GOAL" 'BEGIN { print (r >= g) ? "meets" : "BELOW" }')
printf 'ratio ours/baseline (req/s): %s  (%s the goal of %s)\n' "$ratio" "$verdict" "$GOAL"
printf 'ratio baseline/ours (server CPU per request): %s  (less sensitive to a busy machine than req/s)\n' \
    "$(awk -v o="$o_cpu" -v b="$b_cpu" 'BEGIN { printf "%.3f", b / o }')"
printf 'load: %s\n' "$(uptime)"
