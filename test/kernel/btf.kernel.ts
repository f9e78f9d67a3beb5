// A module's split BTF (loaded modules exist in the VM's stock kernel), read over vmlinux's and
// compared type by type with bpftool's decoding of the same file.

import { execFileSync } from '../child';
import { readdirSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Btf } from '../../common/kernel/btf';

test('split BTF of a module: ids continue vmlinux, names resolve in either string table', () => {
  const mod = readdirSync('/sys/kernel/btf').find((m) => m !== 'vmlinux');
  assert.ok(mod, 'a module with BTF is loaded');
  const btf = Btf.module(mod)!;
  const vmlinux = Btf.vmlinux()!;
  assert.is(btf.firstId, vmlinux.count + 1);
  const json = execFileSync('bpftool', ['-j', '-B', '/sys/kernel/btf/vmlinux', 'btf', 'dump', 'file', `/sys/kernel/btf/${mod}`], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const tool = JSON.parse(json).types as { id: number; kind: string; name: string }[];
  assert.is(btf.count, tool.length);
  for (const t of tool) {
    const got = btf.type(t.id);
    assert.is(got.kind.toUpperCase(), t.kind, `type ${t.id}`);
    assert.is(got.name || '(anon)', t.name, `type ${t.id}`);
  }
  const f = tool.find((t) => t.kind === 'FUNC')!;
  assert.is(btf.findFunc(f.name)!.id, f.id);
});

test.run();
