# Sourced by bin/foliolab and .ci/run: sets JAVA_HOME to a JDK 25 or newer, or explains and fails.
# Order: $JAVA_HOME if it is 25+, then the newest 25+ JDK under /usr/lib/jvm.
foliolab_java_feature() { # JAVA_HOME-like dir -> feature version number, or nothing
    local rel="$1/release" v
    [ -x "$1/bin/java" ] || return 0
    if [ -f "$rel" ]; then
        v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel")
    else
        v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
    fi
    echo "$v"
}
foliolab_find_jdk25() {
    local v d best="" bestv=0
    if [ -n "${JAVA_HOME:-}" ]; then
        v=$(foliolab_java_feature "$JAVA_HOME")
        if [ -n "$v" ] && [ "$v" -ge 25 ]; then return 0; fi
    fi
    for d in /usr/lib/jvm/*; do
        [ -d "$d" ] || continue
        v=$(foliolab_java_feature "$d")
        if [ -n "$v" ] && [ "$v" -ge 25 ] && [ "$v" -gt "$bestv" ]; then best=$d; bestv=$v; fi
    done
    if [ -z "$best" ]; then
        echo "foliolab: no JDK 25 or newer found (JAVA_HOME=${JAVA_HOME:-unset}, nothing suitable in /usr/lib/jvm)." >&2
        echo "foliolab: install one (e.g. Temurin 25) and/or set JAVA_HOME to it." >&2
        return 1
    fi
    export JAVA_HOME=$best
}
