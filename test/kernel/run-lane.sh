#!/usr/bin/env bash
# npm run test:kernel [PATTERN]: the kernel lane. Boots each of Debian's stock kernels once with
# ../shared/vm/run-in-vm.sh and runs every test/kernel/*.kernel.ts suite inside it:
#   linux-image-amd64       6.1: kprobes, fentry, BTF; wildcards as one kprobe per function. Every suite.
#   linux-image-6.12-amd64  6.12: adds kprobe_multi (fprobe), the default for wildcards there. Only
#                           the suites whose behaviour depends on the kprobe mechanism, to keep
#                           the lane under 10 minutes (each boot costs minutes under emulation).
# BPFSCRIPT_VM_KERNELS overrides the list: "PKG[=SUITE_REGEX] ..."; a PATTERN argument applies to all. The host's dist/ is shared with the VM, so everything
# is built here first (tsc and gcc are 15-30x slower under emulation).
#
# Ends with one "N passed, N failed" line summed over the boots; the wall time goes to stderr.
# Exit status: 0 all passed; 1 a test failed (or a booted VM hung or died mid-run); 125 no test
# failed but a VM could not boot (its kernel package could not be fetched, QEMU missing...): the
# caller decides whether that gates. A boot is known to have started when the guest printed the
# marker line below.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd -P)

runner=""
for c in "${BPFSCRIPT_VM_RUNNER:-}" "$root/../shared/vm/run-in-vm.sh" /work/shared/vm/run-in-vm.sh; do
  if [ -n "$c" ] && [ -f "$c" ]; then runner=$c; break; fi
done
if [ -z "$runner" ]; then
  echo "kernel lane: VM COULD NOT BOOT: run-in-vm.sh not found (set BPFSCRIPT_VM_RUNNER)" >&2
  echo "0 passed, 0 failed"
  exit 125
fi

[ -f dist/test/kernel/run.js ] || npx tsc -p . >&2 || true
mkdir -p dist/test/kernel/fixtures
for src in test/kernel/fixtures/*.c; do
  out=dist/test/kernel/fixtures/$(basename "$src" .c)
  [ "$out" -nt "$src" ] || cc -O1 -static -o "$out" "$src" || { echo "0 passed, 1 failed"; exit 1; }
done
# Artifacts built here, on the host's kernel, for the guests to run (artifacts.kernel.ts).
node dist/test/kernel/artifacts-build.js >&2 || { echo "0 passed, 1 failed"; exit 1; }

MARK="kernel-lane: booted"
passed=0
failed=0
unbooted=()
lane_start=$(date +%s)
for entry in ${BPFSCRIPT_VM_KERNELS:-linux-image-amd64 linux-image-6.12-amd64=(kprobe|mechanism)\.kernel\.js\$}; do
  kpkg=${entry%%=*}
  suites=""
  [ "$kpkg" != "$entry" ] && suites=${entry#*=}
  suites=${1:-$suites}
  start=$(date +%s)
  log=$(mktemp)
  for attempt in 1 2 3 4; do
    rc=0
    # BPFSCRIPT_CACHE=0: compiled objects cached on the host were built for the host kernel's types.
    VMTEST_KPKG=$kpkg bash "$runner" "echo \"$MARK \$(uname -r)\"; BPFSCRIPT_CACHE=0 node dist/test/kernel/run.js ${suites:+\"$suites\"}" 2>&1 \
      | sed -u "s/^/[$kpkg] /" | tee "$log" || rc=$?
    # A boot that never started is retried: the runner's set-up checks and the kernel package
    # download can fail transiently. Its pipefail'd `busybox --list | grep -qx insmod` fails
    # whenever grep exits before busybox finishes writing (SIGPIPE), seen in 2 of ~6 boots.
    grep -q "$MARK" "$log" && break
    [ "$attempt" != 4 ] && echo "kernel lane: $kpkg: VM did not boot (exit $rc), retrying" >&2
  done
  end=$(date +%s)
  echo "kernel lane: $kpkg: $((end - start)) s wall time (one VM boot, $(uname -m) emulated)" >&2
  count=$(tail -n 1 "$log" | sed -n -E "s/^\[$kpkg\] ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/p")
  if [ -n "$count" ]; then
    passed=$((passed + ${count% *}))
    failed=$((failed + ${count#* }))
  elif grep -q "$MARK" "$log"; then
    # It booted, then hung or died before its count line: that is a failure of the lane, not of the VM.
    echo "kernel lane: $kpkg: booted but printed no result (exit $rc)" >&2
    failed=$((failed + 1))
  else
    echo "kernel lane: $kpkg: VM COULD NOT BOOT (run-in-vm.sh exit $rc); its tests did not run" >&2
    unbooted+=("$kpkg")
  fi
  rm -f "$log"
done
echo "kernel lane: $(( $(date +%s) - lane_start )) s wall time in all" >&2
echo "$passed passed, $failed failed"
[ "$failed" -gt 0 ] && exit 1
[ "${#unbooted[@]}" -gt 0 ] && exit 125
exit 0
