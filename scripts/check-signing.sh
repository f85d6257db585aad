#!/usr/bin/env bash
# Checks the release profile's signing, run by .ci/run: generates a throwaway gpg key in a temporary
# GNUPGHOME (never a real key; it is deleted at exit), builds folio-api and the BOM with `-P release`,
# and verifies every .asc the build wrote against its artifact, then that a changed artifact fails.
# Installs gpg (Debian's gnupg package) when it is missing. Nothing is uploaded: `verify` stops before
# the Central Portal plugin's deploy step.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. bin/jdk25.sh
foliolab_find_jdk25

if ! command -v gpg >/dev/null 2>&1; then
    echo "check-signing: installing gpg (Debian package gnupg)"
    if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq gnupg >/dev/null
fi

GNUPGHOME=$(mktemp -d)
export GNUPGHOME
chmod 700 "$GNUPGHOME"
cleanup() {
    gpgconf --kill all >/dev/null 2>&1 || true
    rm -rf "$GNUPGHOME"
}
trap cleanup EXIT
# A throwaway key without a passphrase, valid for one day.
gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
    --quick-gen-key "FolioLab signing check (throwaway) <signing-check@foliolab.invalid>" ed25519 sign 1d 2>/dev/null
keyid=$(gpg --batch --list-secret-keys --with-colons 2>/dev/null | awk -F: '$1 == "fpr" {print $10; exit}')
echo "check-signing: throwaway key $keyid"

./mvnw -B -q -P release verify -DskipTests -pl folio-api,bom -Dgpg.keyname="$keyid"

n=0
for f in folio-api/target/foliolab-folio-api-*.jar folio-api/target/foliolab-folio-api-*.pom bom/target/foliolab-bom-*.pom; do
    [ -f "$f" ] || continue
    if [ ! -f "$f.asc" ]; then
        echo "check-signing: $f has no signature $f.asc" >&2
        exit 1
    fi
    gpg --batch --quiet --verify "$f.asc" "$f" 2>/dev/null || { echo "check-signing: bad signature on $f" >&2; exit 1; }
    n=$((n + 1))
done
if [ "$n" -lt 5 ]; then # jar, sources, javadoc, the module's pom, the BOM's pom
    echo "check-signing: only $n signed artifacts; expected jar, -sources, -javadoc and two poms" >&2
    exit 1
fi
# A signature must not verify a changed file.
tampered=$(mktemp)
cp folio-api/target/foliolab-folio-api-*-sources.jar "$tampered"
printf 'x' >> "$tampered"
if gpg --batch --quiet --verify folio-api/target/foliolab-folio-api-*-sources.jar.asc "$tampered" 2>/dev/null; then
    rm -f "$tampered"
    echo "check-signing: a changed artifact still verified" >&2
    exit 1
fi
rm -f "$tampered"
echo "check-signing: $n artifacts signed by the release profile and verified; a changed one is rejected"
