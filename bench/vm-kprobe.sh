#!/usr/bin/env bash
# The VM part of the bench: a kprobe one-liner's per-event cost as fentry, as a forced kprobe and
# in bpftrace 0.17 (bench/vm-kprobe.ts), measured in the kernel lane's VM and written to
# bench/RESULTS-vm.md. VMTEST_KPKG picks the guest kernel (default: Debian's 6.1).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd -P)
runner=${BPFSCRIPT_VM_RUNNER:-$root/../shared/vm/run-in-vm.sh}
[ -f "$runner" ] || runner=/work/shared/vm/run-in-vm.sh
npx tsc -p tsconfig.json
node dist/bench/vm-kprobe.js build
out=$(mktemp -p "$root/dist" vm-kprobe.XXXXXX.json)
trap 'rm -f "$out"' EXIT
bash "$runner" "node dist/bench/vm-kprobe.js measure '$out'"
node dist/bench/vm-kprobe.js write "$out"
