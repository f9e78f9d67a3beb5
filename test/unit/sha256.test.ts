// The container's JavaScript SHA-256 against node:crypto's, at every length around the block and
// padding boundaries, and split into parts at awkward places.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, randomBytes } from 'node:crypto';
import { sha256Hex, SMALL } from '../../src/artifact/sha256';
import { ContainerError, cryptoSha256, decode, encode } from '../../src/artifact/format';
import type { ProgramMeta } from '../../src/compiled';

const reference = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

test('the digests of the empty input and "abc" are FIPS 180-4\'s', () => {
  assert.is(sha256Hex([]), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.is(sha256Hex([Buffer.from('abc')]), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('every length from 0 to 300 bytes, whole and in three parts, matches node:crypto', () => {
  const data = randomBytes(300);
  for (let n = 0; n <= 300; n++) {
    const b = data.subarray(0, n);
    const want = reference(b);
    assert.is(sha256Hex([b]), want, `${n} bytes`);
    const i = Math.floor(n / 3);
    const j = Math.min(Math.floor((2 * n) / 3) + 1, n);
    assert.is(sha256Hex([b.subarray(0, i), b.subarray(i, j), b.subarray(j)]), want, `${n} bytes in parts`);
  }
});

test('a megabyte in uneven parts matches node:crypto', () => {
  const data = randomBytes(1 << 20);
  const parts = [data.subarray(0, 7), data.subarray(7, 70000), data.subarray(70000, 70001), data.subarray(70001)];
  assert.is(sha256Hex(parts), reference(data));
});

test('a container is checked alike below and above the size hashed in JavaScript, and by node:crypto\'s hash', () => {
  for (const size of [100, SMALL + 1000]) {
    const c = { header: { meta: {} as ProgramMeta, note: 'x' }, elf: randomBytes(size) };
    for (const hash of [undefined, cryptoSha256]) {
      const data = encode(c, '#!/usr/bin/env -S bpfscript run', hash);
      // Both hashes write the same digest: either reads what the other wrote.
      assert.equal(decode(data, cryptoSha256).elf, c.elf);
      assert.equal(decode(data).elf, c.elf);
      const bad = Buffer.from(data);
      bad[bad.length - 10] ^= 1;
      assert.throws(() => decode(bad, hash), (e: unknown) => e instanceof ContainerError && e.kind === 'tampered');
    }
  }
});

test.run();
