# Sourced by ./gantry and .ci/run: finds a JDK that can build and run Gantry (21 or newer).
# Prints nothing and returns 1 when none is found.

_gantry_jdk_major() {
  # $1: a java executable; prints its feature version (17, 21, 25...).
  "$1" -XshowSettings:properties -version 2>&1 \
    | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1
}

_gantry_is_jdk21() {
  # $1: a JDK home; true when it holds javac and java >= 21.
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  local major
  major=$(_gantry_jdk_major "$1/bin/java")
  [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null
}

gantry_java_home() {
  local candidate
  if [ -n "${JAVA_HOME:-}" ] && _gantry_is_jdk21 "$JAVA_HOME"; then
    echo "$JAVA_HOME"; return 0
  fi
  if command -v javac >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    if _gantry_is_jdk21 "$candidate"; then echo "$candidate"; return 0; fi
  fi
  # Newest first: the usual places JDKs are installed on Linux and macOS.
  for candidate in $(ls -d /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* \
        "$HOME"/.sdkman/candidates/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home \
        2>/dev/null | sort -rV); do
    if [ ! -L "$candidate" ] && _gantry_is_jdk21 "$candidate"; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

gantry_jvm_defaults() {
  # $1: a JDK home; prints the JVM options Gantry runs with on it. Native access for BoringSSL, the xDS port's
  # TLS (netty loads it; without the option the JDK warns, and later JDKs refuse). Compact object headers (a
  # product option from JDK 25 on) shrink the small objects the informer caches and translation are made of: less
  # heap and fewer cache misses.
  local major=""
  # The JDK's release file says its version without starting a JVM; ask the JVM only when there is none.
  if [ -f "$1/release" ]; then
    major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release")
  fi
  [ -n "$major" ] || major=$(_gantry_jdk_major "$1/bin/java")
  if [ -n "$major" ] && [ "$major" -ge 25 ] 2>/dev/null; then
    echo "--enable-native-access=ALL-UNNAMED -XX:+UseCompactObjectHeaders"
  else
    echo "--enable-native-access=ALL-UNNAMED"
  fi
}
