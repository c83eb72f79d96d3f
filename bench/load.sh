#!/usr/bin/env bash
# Load test of the Airflow webhook of `de-agent serve` (io.deagent.bench.WebhookLoad): open-loop signed
# failure events at a fixed rate, some of them redelivered, then a check that every acknowledged event became
# exactly one incident and reached done/failed. Prints WebhookLoad's report, ending with a one-line JSON summary,
# and the server's peak RSS. The exit code is WebhookLoad's: 0 when nothing was lost or duplicated.
#
# Usage: bench/load.sh [WebhookLoad options]
#          builds app and bench, starts `de-agent serve` on a free port with a fresh H2 store in a temporary
#          directory, runs the load against it, stops it (SIGTERM) and reports its peak RSS
#        bench/load.sh --url URL [--url URL2 ...] [WebhookLoad options]
#          drives already running server(s); nothing is started (the secret must match theirs)
#   e.g. bench/load.sh --rate 200 --seconds 30 --duplicates 0.2
#   WebhookLoad options: --rate R --seconds N --duplicates F --wait N --timeout N --seed N --secret S
#   env: DE_AGENT_WEBHOOK_SECRET  the shared secret (a random one when unset and a server is started)
#        SKIP_BUILD=1             use the jars as they are
#        PORT=N                   the port of the started server (default: a free one)
#        SERVER_JAVA_OPTS=...     JVM options of the started server, (default: those of ./de-agent serve)
#        LOAD_JAVA_OPTS=...       JVM options of WebhookLoad
#        KEEP_TMP=1               keep the temporary directory (server log, H2 files)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
app_jar="$root/app/target/de-agent.jar"
bench_jar="$root/bench/target/benchmarks.jar"

. "$root/bin/find-jdk.sh"
if [ -z "${DE_AGENT_JAVA_HOME:-}" ]; then
  echo "bench/load.sh: no JDK 21 or newer found (set JAVA_HOME)" >&2
  exit 2
fi
export JAVA_HOME="$DE_AGENT_JAVA_HOME"
java="$JAVA_HOME/bin/java"

say() { printf '== %s\n' "$*" >&2; }

# ---- arguments: --url means "a server is already running"; --secret must reach the started server too
external=0
secret="${DE_AGENT_WEBHOOK_SECRET:-}"
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --url | --url=*) external=1 ;;
    --secret) secret="${args[$((i + 1))]:-}" ;;
    --secret=*) secret="${args[$i]#--secret=}" ;;
  esac
done

# ---- build
if [ -z "${SKIP_BUILD:-}" ]; then
  modules=app,bench
  [ "$external" = 1 ] && modules=bench
  say "building $modules"
  if ! ./mvnw -q -B -ntp -DskipTests -Dspotless.check.skip=true -pl "$modules" -am package >&2; then
    echo "bench/load.sh: the build failed; run './mvnw -pl $modules -am package' to see why" >&2
    exit 2
  fi
fi
[ -f "$bench_jar" ] || { echo "bench/load.sh: $bench_jar is missing" >&2; exit 2; }

# WebhookLoad runs in the background and the script waits for it: bash runs a trap only after the foreground
# command ends, so this way Ctrl-C or SIGTERM stops the load (and the server) at once instead of at its end.
load_pid=""
run_load() {
  local rc=0
  # shellcheck disable=SC2086
  "$java" ${LOAD_JAVA_OPTS:-} -cp "$bench_jar" io.deagent.bench.WebhookLoad "$@" &
  load_pid=$!
  wait "$load_pid" || rc=$?
  load_pid=""
  return "$rc"
}
stop_load() {
  if [ -n "$load_pid" ]; then
    kill -TERM "$load_pid" 2>/dev/null || true
    wait "$load_pid" 2>/dev/null || true
    load_pid=""
  fi
}

if [ "$external" = 1 ]; then
  if [ -n "$secret" ]; then
    export DE_AGENT_WEBHOOK_SECRET="$secret"
  fi
  trap stop_load EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  rc=0
  run_load "$@" || rc=$?
  exit "$rc"
fi

# ---- start a server
[ -f "$app_jar" ] || { echo "bench/load.sh: $app_jar is missing" >&2; exit 2; }
if [ -z "$secret" ]; then
  secret="load-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
fi
export DE_AGENT_WEBHOOK_SECRET="$secret"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/deagent-load.XXXXXX")"
server_pid=""
server_log="$tmp/server.log"

stop_server() {
  [ -n "$server_pid" ] || return 0
  local pid="$server_pid" start end waited=0
  server_pid=""
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  start=$(date +%s%N)
  kill -TERM "$pid" 2>/dev/null || true
  # a graceful stop drains in-flight work; give it 30 s before SIGKILL
  while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 300 ]; do
    sleep 0.1
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "bench/load.sh: the server did not stop within 30 s of SIGTERM; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  local server_rc=0
  wait "$pid" 2>/dev/null || server_rc=$?
  end=$(date +%s%N)
  say "server stopped: exit $server_rc, $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", (b - a) / 1e9 }') s after SIGTERM"
}

cleanup() {
  stop_load
  stop_server
  if [ -n "${KEEP_TMP:-}" ]; then
    echo "bench/load.sh: kept $tmp" >&2
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# a port nothing listens on (a connection to it is refused); the server binds it a moment later
free_port() {
  local p tries
  for tries in $(seq 50); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

# prints the HTTP status of GET URL, or 000 when there is no answer
http_status() {
  if command -v curl >/dev/null 2>&1; then
    curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" || true
  else
    local hostport="${1#http://}" path line
    path="/${hostport#*/}"
    hostport="${hostport%%/*}"
    if exec 3<>"/dev/tcp/${hostport%:*}/${hostport#*:}" 2>/dev/null; then
      printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$path" "$hostport" >&3
      IFS=' ' read -r -t 2 _ line _ <&3 || true
      exec 3<&-
      echo "${line:-000}"
    else
      echo 000
    fi
  fi
}

port="${PORT:-$(free_port)}" || { echo "bench/load.sh: found no free port" >&2; exit 2; }
url="http://127.0.0.1:$port"
say "starting de-agent serve on $url (store $tmp/store)"
# the JVM settings ./de-agent uses for serve, unless SERVER_JAVA_OPTS says otherwise
# shellcheck disable=SC2086
DE_AGENT_DB_URL="jdbc:h2:file:$tmp/store" \
  "$java" ${SERVER_JAVA_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=50 -Xms64m -Xmx512m} -jar "$app_jar" serve --port "$port" >"$server_log" 2>&1 &
server_pid=$!

ready=0
for _ in $(seq 600); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "bench/load.sh: the server exited before it was ready; its log:" >&2
    tail -n 40 "$server_log" >&2
    exit 2
  fi
  if [ "$(http_status "$url/readyz")" = 200 ]; then
    ready=1
    break
  fi
  sleep 0.1
done
if [ "$ready" != 1 ]; then
  echo "bench/load.sh: $url/readyz did not answer 200 within 60 s; the server log:" >&2
  tail -n 40 "$server_log" >&2
  exit 2
fi
say "server ready (pid $server_pid)"

rc=0
run_load --url "$url" "$@" || rc=$?

# VmHWM is the peak resident set since the process started; read it while the process still exists
peak_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$server_pid/status" 2>/dev/null || true)
if [ -n "$peak_kb" ]; then
  say "server peak RSS: $(awk -v k="$peak_kb" 'BEGIN { printf "%.0f", k / 1024 }') MB ($peak_kb KB, VmHWM)"
else
  say "server peak RSS: n/a (no /proc/<pid>/status here)"
fi
if [ "$rc" -gt 1 ]; then
  echo "bench/load.sh: WebhookLoad failed (exit $rc); the end of the server log:" >&2
  tail -n 40 "$server_log" >&2
elif [ "$rc" -ne 0 ] && [ -z "${KEEP_TMP:-}" ]; then
  echo "bench/load.sh: the check failed; KEEP_TMP=1 keeps the server log and the H2 store for a look" >&2
fi
stop_server
exit "$rc"
