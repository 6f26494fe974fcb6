# Sourced by ./mvnw and ./mm1. The project needs Java 25+; many machines default to an older
# java. Keep a JAVA_HOME that is new enough, else take the newest JDK 25+ under /usr/lib/jvm or
# /opt/java. Without one, JAVA_HOME stays as it is and the build's enforcer names what is missing.
mm1_java_major() {
  [ -r "$1/release" ] || return 1
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release"
}
mm1_select_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ "$(mm1_java_major "$JAVA_HOME" || echo 0)" -ge 25 ] 2>/dev/null; then
    return 0
  fi
  best="" best_major=0
  for candidate in /usr/lib/jvm/* /opt/java/*; do
    [ -x "$candidate/bin/java" ] || continue
    major=$(mm1_java_major "$candidate") || continue
    if [ -n "$major" ] && [ "$major" -ge 25 ] && [ "$major" -gt "$best_major" ]; then
      best=$candidate best_major=$major
    fi
  done
  if [ -n "$best" ]; then
    JAVA_HOME=$best
    export JAVA_HOME
  fi
}
mm1_select_jdk
# Maven 3.9's Guice calls sun.misc.Unsafe; JDK 24+ warns on every run unless allowed.
if [ "$(mm1_java_major "${JAVA_HOME:-/nonexistent}" || echo 0)" -ge 24 ] 2>/dev/null; then
  case " ${MAVEN_OPTS:-} " in
    *sun-misc-unsafe-memory-access*) ;;
    *) MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"; export MAVEN_OPTS ;;
  esac
fi
