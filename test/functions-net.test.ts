// ntop() and bswap() in the kernel, against bpftrace 0.17: IPv4 from integers, IPv6 from 16-byte
// arrays (compressed as inet_ntop prints), ntop values as map keys; bswap at each width.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from './child';
import { bpfscript, leakedPrograms, sameAsBpftrace } from './helpers';
import { formatInet } from '../src/functions/ntop';


test.after.each(() => {
  assert.equal(leakedPrograms(), []);
});

test('ntop of IPv4 integers, with and without a family, and as a map key: as bpftrace', () => {
  const out = sameAsBpftrace('BEGIN { printf("%s %s\\n", ntop(0x0100007f), ntop(2, 0x0201a8c0)); @[ntop(0x0100007f)] = count(); exit(); }');
  assert.is(out, 'Attaching 1 probe...\n127.0.0.1 192.168.1.2\n\n\n@[127.0.0.1]: 1\n');
});

test('ntop of a 16-byte kernel array is IPv6', () => {
  // comm is char[16]: in BEGIN it is "node" here, so the address is 6e6f:6465:: (bpftrace's own comm differs).
  const r = bpfscript(['-e', 'BEGIN { printf("%s\\n", ntop(10, curtask->comm)); exit(); }']);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 1 probe...\n6e6f:6465::\n\n\n');
});

test('IPv6 text as inet_ntop: longest zero run, no run of one group, IPv4-mapped', () => {
  const rec = (af: number, bytes: number[]) => {
    const v = new DataView(new ArrayBuffer(20));
    v.setUint32(0, af, true);
    bytes.forEach((x, i) => v.setUint8(4 + i, x));
    return formatInet(v, 0);
  };
  assert.is(rec(10, [...Array(15).fill(0), 1]), '::1');
  assert.is(rec(10, [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]), '2001:db8:0:1::1');
  assert.is(rec(10, [0, 1, 0, 0, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7]), '1:0:2:3:4:5:6:7');
  assert.is(rec(10, [...Array(10).fill(0), 0xff, 0xff, 10, 0, 0, 1]), '::ffff:10.0.0.1');
  assert.is(rec(2, [10, 1, 2, 3]), '10.1.2.3');
});

test('bswap at 16, 32 and 8 bits: as bpftrace', () => {
  const out = sameAsBpftrace('BEGIN { printf("%x %x %d\\n", bswap((uint16)0x1234), bswap((uint32)0x12345678), bswap((uint8)7)); exit(); }');
  assert.is(out, 'Attaching 1 probe...\n3412 78563412 7\n\n\n');
});

test('ntop and bswap argument errors', () => {
  let r = bpfscript(['-e', 'BEGIN { @ = ntop("abc"); }']);
  assert.match(r.stderr, 'ERROR: ntop() expects an integer (IPv4) or a 4- or 16-byte array');
  r = bpfscript(['-e', 'BEGIN { @ = bswap(comm); }']);
  assert.match(r.stderr, 'ERROR: bswap() expects an integer, got string');
});

test.run();
