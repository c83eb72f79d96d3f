# Sourced by ./de-agent and .ci/run: finds a JDK 21 or newer without help from the user.
# Sets DE_AGENT_JAVA_HOME, or leaves it empty when none is found.

_deagent_java_major() {
  # prints the feature version of the JDK at $1 (a JAVA_HOME), or nothing
  local home="$1" v=""
  [ -x "$home/bin/java" ] || return 0
  if [ -f "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release" | head -n 1)
  fi
  if [ -z "$v" ]; then
    v=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
  fi
  v=${v#1.}
  printf '%s\n' "${v%%[.+-]*}"
}

_deagent_find_jdk() {
  local candidates=() c best="" best_major=0 major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    c=$(readlink -f "$(command -v java)" 2>/dev/null) && candidates+=("${c%/bin/java}")
  fi
  for c in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* \
           "$HOME"/.jdks/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$c" ] && candidates+=("$c")
  done
  # JAVA_HOME wins when it is recent enough; otherwise the newest JDK found
  if [ -n "${JAVA_HOME:-}" ]; then
    major=$(_deagent_java_major "$JAVA_HOME")
    if [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null && [ -x "$JAVA_HOME/bin/javac" ]; then
      DE_AGENT_JAVA_HOME="$JAVA_HOME"; return 0
    fi
  fi
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/javac" ] || continue
    major=$(_deagent_java_major "$c")
    [ -n "$major" ] || continue
    if [ "$major" -ge 21 ] 2>/dev/null && [ "$major" -gt "$best_major" ]; then
      best="$c"; best_major="$major"
    fi
  done
  DE_AGENT_JAVA_HOME="$best"
}

_deagent_find_jdk
