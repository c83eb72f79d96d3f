#!/usr/bin/env bash
# End-to-end benchmark of de-agent on a generated Spark driver log (512 MB by default), reproducible:
#   (a) grep -c -i -E 'outofmemory|exception|error' FILE      the baseline, best of $RUNS
#   (b) ./de-agent diagnose --json FILE > /dev/null             the whole CLI process, best of $RUNS, peak RSS
#   (c) the JMH benchmark DiagnoseBenchmark                      in-process read / read+classify: MB/s, peak heap
# and prints a summary against the goals: (b) within 2x the time of (a), and (b)'s peak RSS under 300 MB.
#
# Usage: bench/run.sh [sizeMB]
#   env: RUNS=3          timed runs of (a) and (b)
#        BENCH_FILE=path the log (default bench/data/spark-driver-<sizeMB>m.log, generated when missing)
#        SKIP_JMH=1      skip (c)
#        JMH_ARGS=...    extra JMH options, e.g. "-wi 1 -i 3" or "-prof gc"
# MB here means MiB (2^20 bytes). Nothing is installed: without /usr/bin/time the peak RSS is read from
# VmHWM in /proc/<pid>/status while the process runs.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

size_mb="${1:-512}"
runs="${RUNS:-3}"
file="${BENCH_FILE:-$root/bench/data/spark-driver-${size_mb}m.log}"
jar="$root/bench/target/benchmarks.jar"
pattern='outofmemory|exception|error'

. "$root/bin/find-jdk.sh"
if [ -z "${DE_AGENT_JAVA_HOME:-}" ]; then
  echo "bench/run.sh: no JDK 21 or newer found (set JAVA_HOME)" >&2
  exit 2
fi
export JAVA_HOME="$DE_AGENT_JAVA_HOME"
java="$JAVA_HOME/bin/java"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/deagent-bench.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

say() { printf '\n== %s\n' "$*" >&2; }

# ---- the benchmark jar (built when missing or older than the bench or core sources)
bench_stale() {
  [ -f "$jar" ] || return 0
  [ -n "$(find "$root/pom.xml" "$root/bench/pom.xml" "$root/bench/src" "$root/core/pom.xml" "$root/core/src" \
          -type f -newer "$jar" -print -quit 2>/dev/null)" ]
}
if bench_stale; then
  say "building $jar"
  if ! ./mvnw -q -B -ntp -DskipTests -Dspotless.check.skip=true -pl bench -am package >&2; then
    [ -f "$jar" ] || { echo "bench/run.sh: the build failed" >&2; exit 1; }
    echo "bench/run.sh: WARNING: the build failed; using the existing, older $jar" >&2
  fi
fi

# ---- the log
file_bytes() { stat -c %s "$1" 2>/dev/null || wc -c <"$1"; }
if [ ! -f "$file" ] || [ "$(file_bytes "$file")" -lt $((size_mb * 1048576)) ]; then
  say "generating $file ($size_mb MB)"
  "$java" -cp "$jar" io.deagent.bench.SparkLogGenerator "$file" "$size_mb" >&2
fi
bytes="$(file_bytes "$file")"
mb="$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')"

# ---- timing: wall time from date(1) in ns, peak RSS from /usr/bin/time or /proc/<pid>/status
time_bin=""
if [ -z "${NO_USR_BIN_TIME:-}" ] && [ -x /usr/bin/time ]; then
  time_bin=/usr/bin/time
fi
m_secs=0
m_kb=0
m_rc=0
# measure CMD...: runs CMD with stdout to $tmp/out and stderr to $tmp/err; sets m_secs, m_kb ("" if unknown), m_rc
measure() {
  local start end pid st hwm
  m_rc=0
  m_kb=""
  if [ -n "$time_bin" ]; then
    start=$(date +%s%N)
    "$time_bin" -f '%M' -o "$tmp/rss" "$@" >"$tmp/out" 2>"$tmp/err" || m_rc=$?
    end=$(date +%s%N)
    m_kb=$(tail -n 1 "$tmp/rss")
  else
    start=$(date +%s%N)
    "$@" >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    hwm=""
    while st=$(awk '/^State:/ { s = $2 } /^VmHWM:/ { h = $2 } END { print s, h }' "/proc/$pid/status" 2>/dev/null); do
      set -- $st
      [ "${1:-Z}" = Z ] && break
      [ -n "${2:-}" ] && hwm=$2
      sleep 0.005
    done
    wait "$pid" || m_rc=$?
    end=$(date +%s%N)
    m_kb=$hwm
  fi
  m_secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
}
min() { printf '%s\n' "$@" | sort -g | head -n 1; }
max() { printf '%s\n' "$@" | sort -g | tail -n 1; }

say "warming the page cache ($mb MB)"
cat "$file" >/dev/null

# ---- (a) grep
say "(a) grep -c -i -E '$pattern' ($runs runs)"
grep_times=()
for i in $(seq "$runs"); do
  measure grep -c -i -E "$pattern" "$file"
  [ "$m_rc" -le 1 ] || { cat "$tmp/err" >&2; exit 1; }
  grep_times+=("$m_secs")
  printf '  run %d: %s s, %s matching lines, RSS %s KB\n' "$i" "$m_secs" "$(cat "$tmp/out")" "${m_kb:-?}" >&2
done
grep_best=$(min "${grep_times[@]}")

# ---- (b) de-agent diagnose, end to end
say "(b) ./de-agent diagnose --json"
# The launcher rebuilds app/target/de-agent.jar when a source is newer than it. Let it do that once, as a user
# would see it; then time a snapshot of the launcher and the jar, so that sources edited while the benchmark
# runs cannot start a Maven build inside a timed run. Same script, same jar, same JVM options.
"$root/de-agent" --version >/dev/null 2>"$tmp/err" || {
  [ -f "$root/app/target/de-agent.jar" ] || { cat "$tmp/err" >&2; exit 1; }
  echo "bench/run.sh: WARNING: the launcher could not rebuild the jar; timing the existing one" >&2
}
launcher="$tmp/launcher/de-agent"
mkdir -p "$tmp/launcher/bin" "$tmp/launcher/app/target"
cp "$root/de-agent" "$launcher"
cp "$root/bin/find-jdk.sh" "$tmp/launcher/bin/"
cp "$root/app/target/de-agent.jar" "$tmp/launcher/app/target/"
echo "  one untimed run first (creates the class-data-sharing archive, shows the category)" >&2
measure "$launcher" diagnose --json "$file"
if [ "$m_rc" -ne 0 ]; then
  cat "$tmp/err" >&2
  echo "bench/run.sh: de-agent diagnose failed (exit $m_rc)" >&2
  exit 1
fi
json_field() { sed -n "s/^  \"$1\" \{0,1\}: \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" "$tmp/out" | head -n 1; }
category=$(json_field category)
confidence=$(json_field confidence)
rule=$(json_field rule_id)
printf '  untimed: %s s, category %s (confidence %s, rule %s)\n' "$m_secs" "$category" "$confidence" "${rule:-none}" >&2

agent_times=()
agent_rss=()
attempts=0
while [ "${#agent_times[@]}" -lt "$runs" ] && [ "$attempts" -lt $((runs + 3)) ]; do
  attempts=$((attempts + 1))
  measure sh -c 'exec "$0" diagnose --json "$1" >/dev/null' "$launcher" "$file"
  if [ "$m_rc" -ne 0 ]; then
    cat "$tmp/err" >&2
    exit 1
  fi
  if grep -q 'building the runnable jar' "$tmp/err"; then
    echo "  (the launcher rebuilt the jar during the run; not counted)" >&2
    continue
  fi
  agent_times+=("$m_secs")
  [ -n "$m_kb" ] && agent_rss+=("$m_kb")
  printf '  run %d: %s s, peak RSS %s KB\n' "${#agent_times[@]}" "$m_secs" "${m_kb:-unavailable}" >&2
done
agent_best=$(min "${agent_times[@]}")
if [ "${#agent_rss[@]}" -gt 0 ]; then
  rss_mb=$(awk -v k="$(max "${agent_rss[@]}")" 'BEGIN { printf "%.0f", k / 1024 }')
else
  rss_mb="n/a"
fi

# ---- (c) JMH
jmh_read="n/a"
jmh_diag="n/a"
jmh_heap="n/a"
jmh_heap_read="n/a"
if [ -z "${SKIP_JMH:-}" ]; then
  say "(c) JMH DiagnoseBenchmark (fork -Xmx256m -XX:+UseSerialGC)"
  # shellcheck disable=SC2086
  "$java" -jar "$jar" DiagnoseBenchmark -p file="$file" -p sizeMB="$size_mb" \
    -rf json -rff "$root/bench/target/jmh-result.json" ${JMH_ARGS:-} | tee "$tmp/jmh.log" >&2
  result() { grep "^BENCH-RESULT benchmark=$1 " "$tmp/jmh.log" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$2=//p"; }
  jmh_read=$(result read mbps_median)
  jmh_heap_read=$(result read peak_heap_mb)
  jmh_diag=$(result readAndDiagnose mbps_median)
  jmh_heap=$(result readAndDiagnose peak_heap_mb)
fi

# ---- summary
ratio=$(awk -v a="$agent_best" -v g="$grep_best" 'BEGIN { printf "%.1f", a / g }')
agent_mbps=$(awk -v m="$mb" -v s="$agent_best" 'BEGIN { printf "%.0f", m / s }')
grep_mbps=$(awk -v m="$mb" -v s="$grep_best" 'BEGIN { printf "%.0f", m / s }')
time_goal=$(awk -v r="$ratio" 'BEGIN { print (r <= 2.0) ? "PASS" : "FAIL" }')
rss_goal=$([ "$rss_mb" = "n/a" ] && echo "unknown" || awk -v r="$rss_mb" 'BEGIN { print (r < 300) ? "PASS" : "FAIL" }')

{
  echo
  echo "de-agent benchmark summary ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc 2>/dev/null || echo '?') CPUs," \
    "$("$java" -version 2>&1 | head -n 1), LC_ALL=${LC_ALL:-} LANG=${LANG:-}," \
    "load average $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo '?'))"
  printf '  %-34s %s\n' "file" "$file"
  printf '  %-34s %s MB (%s bytes)\n' "file size" "$mb" "$bytes"
  printf '  %-34s %s s  (%s MB/s, best of %s)\n' "grep -c -i -E" "$grep_best" "$grep_mbps" "$runs"
  printf '  %-34s %s s  (%s MB/s, best of %s)\n' "de-agent diagnose --json" "$agent_best" "$agent_mbps" "${#agent_times[@]}"
  printf '  %-34s %sx grep   goal <= 2x: %s\n' "ratio" "$ratio" "$time_goal"
  printf '  %-34s %s MB      goal < 300 MB: %s\n' "de-agent peak RSS" "$rss_mb" "$rss_goal"
  printf '  %-34s %s (confidence %s, rule %s)\n' "category found" "$category" "$confidence" "${rule:-none}"
  printf '  %-34s %s MB/s, peak heap %s MB\n' "JMH read (median)" "$jmh_read" "$jmh_heap_read"
  printf '  %-34s %s MB/s, peak heap %s MB\n' "JMH read+classify+json (median)" "$jmh_diag" "$jmh_heap"
}
