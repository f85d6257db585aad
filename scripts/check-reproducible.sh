#!/usr/bin/env bash
# Reproducible-build check, run by .ci/run after `./mvnw -B install`: builds the working tree a second time
# in a fresh copy (another directory, nothing shared but ~/.m2) and compares every published archive
# (jar, -sources.jar, -javadoc.jar of each module) byte for byte with the first build's. Also checks that
# the BOM (which has no parent) names the reactor's version and every published module.
# Usage: scripts/check-reproducible.sh   (from anywhere; needs the first build's target/ directories)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. bin/jdk25.sh
foliolab_find_jdk25

# The modules that are published: every reactor module but bench (benchmarks stay in this repository).
modules=$(sed -n 's|^ *<module>\(.*\)</module>.*|\1|p' pom.xml | grep -v -x -e bench -e bom)

# The BOM repeats the parent's version and lists every published module.
version=$(sed -n '0,/<version>/s|^ *<version>\(.*\)</version>.*|\1|p' pom.xml)
bomversion=$(sed -n '0,/<version>/s|^ *<version>\(.*\)</version>.*|\1|p' bom/pom.xml)
if [ "$version" != "$bomversion" ]; then
    echo "check-reproducible: bom/pom.xml has version $bomversion, the reactor $version" >&2
    exit 1
fi
for m in $modules; do
    if ! grep -q "<artifactId>foliolab-$m</artifactId>" bom/pom.xml; then
        echo "check-reproducible: bom/pom.xml does not list foliolab-$m" >&2
        exit 1
    fi
done

first=$(mktemp)
second=$(mktemp)
copy=$(mktemp -d)
trap 'rm -rf "$first" "$second" "$copy"' EXIT
archives() { # DIR -> "sha256  module/target/file" for every published archive under DIR
    (cd "$1" && for m in $modules; do
        ls "$m"/target/foliolab-*.jar 2>/dev/null || { echo "check-reproducible: no jars in $1/$m/target (build first)" >&2; exit 1; }
    done | LC_ALL=C sort | xargs sha256sum)
}
archives "$root" > "$first"
tar -C "$root" --exclude=./.git --exclude='*/target' --exclude=./target -cf - . | tar -C "$copy" -xf -
echo "check-reproducible: second build in $copy ..."
(cd "$copy" && ./mvnw -B -q package -DskipTests -pl '!bench')
archives "$copy" > "$second"
if ! diff -u "$first" "$second"; then
    echo "check-reproducible: the second build differs (lines above: - first build, + second)" >&2
    exit 1
fi
echo "check-reproducible: $(wc -l < "$first") archives byte-identical across two builds"
