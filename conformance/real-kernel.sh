#!/usr/bin/env bash
# Run conformance scripts on the reference kernel (Linux 7.2, Debian cloud build) under qemu.
#
# Usage: conformance/real-kernel.sh [-j N] [--record | --check] FILE...
#
# A script whose first command line is `format 2` runs on the v2 machine (two CPUs, two
# NUMA nodes, movablecore=40% nokaslr); any other script on the v1 machine.
#
#   (default)  boot one VM per script and print its transcript (the lines between BEGIN and END,
#              nothing else) on stdout; with several files, each transcript is preceded by a
#              "==> FILE <==" line, in the order the files were given.
#   --record   run every script TWICE and write NAME.expected next to NAME.script only when both
#              transcripts agree; disagreements are reported on stderr (and make the exit non-zero).
#   --check    run every script once and compare with NAME.expected; prints PASS/FAIL lines.
#   -j N       run N VMs at a time (default 1; the machine has 2 cores: use -j2).
#
# Exit status: 0 when every VM produced a transcript (and, for --record/--check, every comparison
# held), non-zero otherwise.
#
# Everything it needs is installed by this script itself (idempotent): qemu-system-x86, cpio, gcc
# and the static C library from the system's apt; the kernel package from Debian trixie-backports
# through scripts/trixie-backports.sh into a cache directory outside the repository:
#   ${FOLIOLAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/foliolab}
# Environment: FOLIOLAB_KERNEL_PKG overrides the kernel package (default
# linux-binary-7.2.12+deb13-cloud-amd64, falling back to the newest 7.2.x cloud build the suite
# has); FOLIOLAB_VM_TIMEOUT (seconds, default 300) bounds one VM run.
set -euo pipefail

# The whole script is one function, so that bash has read all of it before running any of it
# (editing the file while a long run is in progress cannot derail that run).
main() {

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
cache=${FOLIOLAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/foliolab}
kernel_pkg=${FOLIOLAB_KERNEL_PKG:-linux-binary-7.2.12+deb13-cloud-amd64}
vm_timeout=${FOLIOLAB_VM_TIMEOUT:-300}

# The VM exactly as docs/conformance-format.md describes it.
QEMU_OPTS=(-smp 1 -m 1024M -nographic -no-reboot)
KERNEL_CMDLINE="console=ttyS0 quiet loglevel=0 panic=-1 transparent_hugepage=never"
# Format v2 (a script whose first command line is `format 2`): two CPUs, two NUMA nodes of
# 512 MiB with CPU i on node i, a ZONE_MOVABLE on each node, and the kernel image (with the shared
# zero page) at a fixed physical address.
QEMU_OPTS_V2=(-smp 2 -m 1024M -nographic -no-reboot
  -object memory-backend-ram,id=m0,size=512M -object memory-backend-ram,id=m1,size=512M
  -numa node,nodeid=0,cpus=0,memdev=m0 -numa node,nodeid=1,cpus=1,memdev=m1)
KERNEL_CMDLINE_V2="$KERNEL_CMDLINE movablecore=40% nokaslr"

mode=print
jobs=1
files=()
while [ $# -gt 0 ]; do
  case $1 in
    --record) mode=record ;;
    --check) mode=check ;;
    -j) jobs=$2; shift ;;
    -j*) jobs=${1#-j} ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    --) shift; files+=("$@"); break ;;
    -*) echo "real-kernel.sh: unknown option $1" >&2; exit 2 ;;
    *) files+=("$1") ;;
  esac
  shift
done
[ ${#files[@]} -gt 0 ] || { echo "usage: real-kernel.sh [-j N] [--record|--check] FILE..." >&2; exit 2; }
for f in "${files[@]}"; do [ -f "$f" ] || { echo "real-kernel.sh: no such file: $f" >&2; exit 2; }; done

log() { echo "real-kernel.sh: $*" >&2; }

# ---------------------------------------------------------------------------------------------
# Tools from the system's apt.
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v cpio >/dev/null || need+=(cpio)
command -v gcc >/dev/null || need+=(gcc)
# gcc prints the bare name when it has no static C library.
if ! command -v gcc >/dev/null || [ "$(gcc -print-file-name=libc.a)" = libc.a ]; then need+=(libc6-dev); fi
command -v dpkg-deb >/dev/null || need+=(dpkg)
command -v timeout >/dev/null || need+=(coreutils)
[ -e /usr/share/keyrings/debian-archive-keyring.gpg ] || need+=(debian-archive-keyring)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi

# ---------------------------------------------------------------------------------------------
# The kernel: downloaded once into the cache, unpacked there.
mkdir -p "$cache/kernel"
find_vmlinuz() { ls "$cache"/kernel/"$1"/usr/lib/modules/*/vmlinuz 2>/dev/null | head -1 || true; }
vmlinuz=$(find_vmlinuz "$kernel_pkg")
if [ -z "$vmlinuz" ]; then
  log "fetching $kernel_pkg"
  if ! bash "$repo/scripts/trixie-backports.sh" "$cache/kernel" "$kernel_pkg"; then
    # Not on the mirror (any more): take the newest 7.2.x cloud kernel the suite has, using the
    # same private apt state as scripts/trixie-backports.sh.
    state=${FOLIOLAB_APT_STATE:-${XDG_CACHE_HOME:-$HOME/.cache}/foliolab/apt-trixie-backports}
    opts=(-o Dir::Etc::SourceList="$state/sources.list" -o Dir::Etc::SourceParts=/dev/null
          -o Dir::State::Lists="$state/lists" -o Dir::Cache="$state/cache"
          -o Dir::State::Status=/dev/null)
    alt=$(apt-cache "${opts[@]}" pkgnames linux-binary-7.2. 2>/dev/null | grep -E -- '-cloud-amd64$' |
          sort -V | tail -1)
    [ -n "$alt" ] || { log "no Linux 7.2.x cloud kernel found in trixie-backports"; exit 1; }
    log "$kernel_pkg unavailable, using $alt"
    kernel_pkg=$alt
    vmlinuz=$(find_vmlinuz "$kernel_pkg")
    [ -n "$vmlinuz" ] || bash "$repo/scripts/trixie-backports.sh" "$cache/kernel" "$kernel_pkg"
  fi
  if [ -z "$vmlinuz" ]; then
    deb=$(ls "$cache"/kernel/"$kernel_pkg"_*.deb | head -1)
    rm -rf "$cache/kernel/$kernel_pkg.tmp"
    dpkg-deb -x "$deb" "$cache/kernel/$kernel_pkg.tmp"
    rm -rf "$cache/kernel/$kernel_pkg"
    mv "$cache/kernel/$kernel_pkg.tmp" "$cache/kernel/$kernel_pkg"
    vmlinuz=$(find_vmlinuz "$kernel_pkg")
  fi
  [ -n "$vmlinuz" ] || { log "no vmlinuz in $kernel_pkg"; exit 1; }
fi

# ---------------------------------------------------------------------------------------------
# The runner, built once per version of runner.c.
runner_src=$here/runner/runner.c
runner_hash=$(sha256sum "$runner_src" | cut -c1-16)
runner=$cache/runner/init-$runner_hash
if [ ! -x "$runner" ]; then
  mkdir -p "$cache/runner"
  gcc -static -O2 -Wall -Wextra -o "$runner.tmp" "$runner_src"
  mv "$runner.tmp" "$runner"
fi

# Script errors are found on the host before any VM boots.
for f in "${files[@]}"; do
  if ! err=$("$runner" --syntax "$f" 2>&1); then
    log "$f: ${err##*FOLIOLAB-ERROR }"
    exit 2
  fi
done

# ---------------------------------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/foliolab-rk.XXXXXX")
trap 'rm -rf "$work"' EXIT

# is_v2 SCRIPT: its first command line (comments and blank lines skipped) is `format 2`.
is_v2() {
  awk '{ sub(/#.*/, "") } NF { found = 1; exit !($1 == "format" && $2 == "2" && NF == 2) }
       END { if (!found) exit 1 }' "$1"
}

# boot_vm SCRIPT OUT: boot one VM on SCRIPT, write its transcript to OUT.
# Returns 0 on success, 1 on a script or runner error, 3 when the VM gave no transcript at all
# (an infrastructure failure: nothing after the firmware banner, qemu crash or timeout).
boot_vm() {
  local script=$1 out=$2 dir
  dir=$(mktemp -d "$work/vm.XXXXXX")
  mkdir "$dir/root"
  cp "$runner" "$dir/root/init"
  cp "$script" "$dir/root/script"
  (cd "$dir/root" && printf '%s\n' init script | cpio -o -H newc --quiet > "$dir/initramfs.cpio")
  local opts=("${QEMU_OPTS[@]}") cmdline=$KERNEL_CMDLINE
  if is_v2 "$script"; then opts=("${QEMU_OPTS_V2[@]}"); cmdline=$KERNEL_CMDLINE_V2; fi
  if ! timeout "$vm_timeout" qemu-system-x86_64 "${opts[@]}" \
       -kernel "$vmlinuz" -initrd "$dir/initramfs.cpio" -append "$cmdline" \
       </dev/null >"$dir/console" 2>&1; then
    log "$script: qemu failed or timed out"
  fi
  tr -d '\r' < "$dir/console" > "$dir/console.txt"
  # Keep the console of the last run of each script for post-mortems.
  mkdir -p "$cache/console"
  cp "$dir/console.txt" "$cache/console/$(basename "$script").console"
  if grep -q '^FOLIOLAB-ERROR' "$dir/console.txt"; then
    log "$script: $(grep '^FOLIOLAB-ERROR' "$dir/console.txt" | head -1 | sed 's/^FOLIOLAB-ERROR //')"
    return 1
  fi
  if ! grep -qx BEGIN "$dir/console.txt"; then
    return 3
  fi
  if ! grep -qx END "$dir/console.txt"; then
    log "$script: transcript not terminated; console tail:"
    tail -20 "$dir/console.txt" >&2
    return 1
  fi
  sed -n '/^BEGIN$/,/^END$/p' "$dir/console.txt" | sed '1d;$d' > "$out"
  rm -rf "$dir"
}

# run_vm SCRIPT OUT: boot_vm, booting again (at most twice more) when a VM gave no transcript at
# all. A transcript itself is never retried: two runs that disagree are reported by --record.
run_vm() {
  local attempt rc
  for attempt in 1 2 3; do
    rc=0
    boot_vm "$1" "$2" || rc=$?
    [ "$rc" -eq 3 ] || return "$rc"
    log "$1: the VM gave no transcript (attempt $attempt); console tail:"
    tail -3 "$cache/console/$(basename "$1").console" >&2
  done
  return 1
}

# One job per script: run once (or twice for --record) and leave a status file.
job() {
  local i=$1 script=${files[$1]} base
  base=${script%.script}
  case $mode in
    print)
      if run_vm "$script" "$work/$i.out"; then echo ok > "$work/$i.status"; else echo fail > "$work/$i.status"; fi ;;
    check)
      if ! run_vm "$script" "$work/$i.out"; then echo fail > "$work/$i.status"
      elif [ ! -f "$base.expected" ]; then echo "no-golden" > "$work/$i.status"
      elif cmp -s "$work/$i.out" "$base.expected"; then echo pass > "$work/$i.status"
      else echo mismatch > "$work/$i.status"; fi ;;
    record)
      if ! run_vm "$script" "$work/$i.out" || ! run_vm "$script" "$work/$i.out2"; then
        echo fail > "$work/$i.status"
      elif cmp -s "$work/$i.out" "$work/$i.out2"; then
        cp "$work/$i.out" "$base.expected"
        echo recorded > "$work/$i.status"
      else
        echo disagree > "$work/$i.status"
        { log "$script: the two runs disagree:"; diff "$work/$i.out" "$work/$i.out2" || true; } >&2
      fi ;;
  esac
}

start=$(date +%s.%N)
running=0
for i in "${!files[@]}"; do
  if [ "$running" -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
  job "$i" &
  running=$((running + 1))
done
wait
end=$(date +%s.%N)

rc=0
counts=""
for i in "${!files[@]}"; do
  script=${files[$i]}
  status=$(cat "$work/$i.status" 2>/dev/null || echo fail)
  case $mode in
    print)
      if [ ${#files[@]} -gt 1 ]; then echo "==> $script <=="; fi
      if [ "$status" = ok ]; then cat "$work/$i.out"; else rc=1; fi ;;
    check)
      case $status in
        pass) echo "PASS $script" ;;
        mismatch) echo "FAIL $script"; diff "${script%.script}.expected" "$work/$i.out" | sed 's/^/    /' || true; rc=1 ;;
        no-golden) echo "NO-GOLDEN $script"; rc=1 ;;
        *) echo "ERROR $script"; rc=1 ;;
      esac ;;
    record)
      [ "$status" = recorded ] || { log "$script: not recorded ($status)"; rc=1; } ;;
  esac
  counts="$counts $status"
done
summary=$(echo $counts | tr ' ' '\n' | sort | uniq -c | awk '{printf "%s%s %s", sep, $1, $2; sep=", "}')
log "$(awk -v n=${#files[@]} -v s="$summary" -v a="$start" -v b="$end" 'BEGIN { printf "%d script(s), %s, wall %.1f s", n, s, b - a }')"
return $rc
}

main "$@"
