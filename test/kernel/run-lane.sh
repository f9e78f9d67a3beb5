#!/usr/bin/env bash
# npm run test:kernel: the kernel lane. Boots Debian's stock kernel once (kprobes, fentry, BTF)
# with ../shared/vm/run-in-vm.sh and runs every test/kernel/*.kernel.ts suite inside it. The
# host's dist/ is shared with the VM, so everything is built here first (tsc and gcc are 15-30x
# slower under emulation). Ends with the in-VM runner's "N passed, N failed" line; the wall time
# goes to stderr.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd -P)

runner=""
for c in "${BPFSCRIPT_VM_RUNNER:-}" "$root/../shared/vm/run-in-vm.sh" /work/shared/vm/run-in-vm.sh; do
  if [ -n "$c" ] && [ -f "$c" ]; then runner=$c; break; fi
done
if [ -z "$runner" ]; then
  echo "kernel lane: run-in-vm.sh not found (set BPFSCRIPT_VM_RUNNER)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

[ -f dist/test/kernel/run.js ] || npx tsc -p . >&2 || true
mkdir -p dist/test/kernel/fixtures
for src in test/kernel/fixtures/*.c; do
  out=dist/test/kernel/fixtures/$(basename "$src" .c)
  [ "$out" -nt "$src" ] || cc -O1 -static -o "$out" "$src" || { echo "0 passed, 1 failed"; exit 1; }
done

start=$(date +%s)
log=$(mktemp)
rc=0
# BPFSCRIPT_CACHE=0: compiled objects cached on the host were built for the host kernel's types.
bash "$runner" "BPFSCRIPT_CACHE=0 node dist/test/kernel/run.js ${1:-}" 2>&1 | tee "$log" || rc=$?
end=$(date +%s)
echo "kernel lane: $((end - start)) s wall time (one VM boot, $(uname -m) emulated)" >&2
# A boot that failed or timed out printed no count: report it as a failure in the same format.
if ! tail -n 1 "$log" | grep -Eq '^[0-9]+ passed, [0-9]+ failed'; then
  echo "0 passed, 1 failed"
  [ "$rc" = 0 ] && rc=1
fi
rm -f "$log"
exit "$rc"
