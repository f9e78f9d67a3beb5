// Map printing, checked against bpftrace 0.17. Every expected string below is what bpftrace 0.17
// printed for the program in the comment above its test (stdout, byte for byte); the test rebuilds
// the same maps as the runtime would hand them over and formats them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatExitMaps, formatMap, type AvgValue, type MapEntry } from '../../runtime/format/maps';
import { formatValue } from '../../runtime/format/values';
import { intType, s64, stringType, u64, type Type, type Value } from '../../common/types';
import { agg, hist, lh, lhist, map, tup } from './map-data';

const attach = 'Attaching 1 probe...\n';
const str = stringType(64);
const COUNT = agg('count', false);

const scalar = (name: string, valueType: Type, value: MapEntry['value']) => map(name, null, valueType, [[null, value]]);
const empty = (name: string, valueType: Type, keyType: Type | null = s64) => map(name, keyType, valueType, []);

const rep = (n: number, v: bigint): bigint[] => new Array(n).fill(v);
function avg(...samples: bigint[]): AvgValue {
  let total = 0n;
  for (const v of samples) total += v;
  return { count: BigInt(samples.length), total };
}

// bpftrace -e 'BEGIN { @y=2; @x=1; exit(); }'
test("scalars in name order", () => {
  const expected = "Attaching 1 probe...\n\n\n@x: 1\n@y: 2\n";
  assert.is(attach + formatExitMaps([scalar('@y', s64, 2n), scalar('@x', s64, 1n)]), expected);
});

// bpftrace -e 'BEGIN { exit(); }'
test("no maps still prints two newlines", () => {
  const expected = "Attaching 1 probe...\n\n\n";
  assert.is(attach + formatExitMaps([]), expected);
});

// bpftrace -e 'BEGIN { printf("a\n"); exit(); } END { printf("end"); }'
test("printf and END output come before the two newlines", () => {
  const expected = "Attaching 2 probes...\na\nend\n\n";
  assert.is('Attaching 2 probes...\na\nend' + formatExitMaps([]), expected);
});

// bpftrace -e 'BEGIN { @b=1; @aa=2; @a1=3; @_=4; @a=5; @A=6; @=7; @Z_=8; exit(); }'
test("map names sort bytewise, @ first", () => {
  const expected = "Attaching 1 probe...\n\n\n@: 7\n@A: 6\n@Z_: 8\n@_: 4\n@a: 5\n@a1: 3\n@aa: 2\n@b: 1\n";
  const names: [string, bigint][] = [['@b', 1n], ['@aa', 2n], ['@a1', 3n], ['@_', 4n], ['@a', 5n], ['@A', 6n], ['@', 7n], ['@Z_', 8n]];
  assert.is(attach + formatExitMaps(names.map(([n, v]) => scalar(n, s64, v))), expected);
});

// bpftrace -e 'BEGIN { @[1]=count(); @[1]=count(); @[1]=count(); @[2]=count(); @[3]=count(); @[3]=count(); exit(); }'
test("count map sorted by value", () => {
  const expected = "Attaching 1 probe...\n\n\n@[2]: 1\n@[3]: 2\n@[1]: 3\n";
  assert.is(attach + formatExitMaps([map('@', s64, COUNT, [[[1n], 3n], [[2n], 1n], [[3n], 2n]])]), expected);
});

// bpftrace -e 'BEGIN { @m[1]=sum(-3); @m[2]=sum(5); @m[3]=sum(0); exit(); }'
test("signed sum sorts negatives first", () => {
  const expected = "Attaching 1 probe...\n\n\n@m[1]: -3\n@m[3]: 0\n@m[2]: 5\n";
  assert.is(attach + formatExitMaps([map('@m', s64, agg('sum'), [[[1n], -3n], [[2n], 5n], [[3n], 0n]])]), expected);
});

// bpftrace -e 'BEGIN { @[1] = sum((uint64)0xffffffffffffffff); @[2]=sum(5); @[3]=sum(-5); exit(); }'
test("unsigned sum prints and sorts unsigned", () => {
  const expected = "Attaching 1 probe...\n\n\n@[2]: 5\n@[3]: 18446744073709551611\n@[1]: 18446744073709551615\n";
  assert.is(attach + formatExitMaps([map('@', s64, agg('sum', false), [[[1n], 0xffffffffffffffffn], [[2n], 5n], [[3n], -5n]])]), expected);
});

// bpftrace -e 'BEGIN { @n=min(5); @o=min(-5); @p=max(7); @q[1]=min(-3); @q[2]=min(4); @q[3]=min(0); exit(); }'
test("min and max", () => {
  const expected = "Attaching 1 probe...\n\n\n@n: 5\n@o: -5\n@p: 7\n@q[1]: -3\n@q[3]: 0\n@q[2]: 4\n";
  assert.is(attach + formatExitMaps([scalar('@n', agg('min'), 5n), scalar('@o', agg('min'), -5n), scalar('@p', agg('max'), 7n),
    map('@q', s64, agg('min'), [[[1n], -3n], [[2n], 4n], [[3n], 0n]])]), expected);
});

// bpftrace -e 'BEGIN { @m[1]=avg(-3); @m[2]=avg(5); @m[3]=avg(-7); @m[3]=avg(2); exit(); }'
test("avg truncates toward zero and ends with a blank line", () => {
  const expected = "Attaching 1 probe...\n\n\n@m[1]: -3\n@m[3]: -2\n@m[2]: 5\n\n";
  assert.is(attach + formatExitMaps([map('@m', s64, agg('avg'), [[[1n], avg(-3n)], [[2n], avg(5n)], [[3n], avg(-7n, 2n)]])]), expected);
});

// bpftrace -e 'BEGIN { @s=stats((uint64)0xfffffffffffffff0); @a = avg((uint64)0xfffffffffffffff0); @b = avg((uint64)0x8000000000000000); @b = avg((uint64)0x8000000000000000); @c=stats(-5); @c=stats(-6); exit(); }'
test("avg and stats are signed 64-bit even for uint64 arguments", () => {
  const expected = "Attaching 1 probe...\n\n\n@a: -16\n\n@b: 0\n\n@c: count 2, average -5, total -11\n\n@s: count 1, average -16, total -16\n\n";
  const big = 0xfffffffffffffff0n, half = 0x8000000000000000n;
  assert.is(attach + formatExitMaps([scalar('@s', agg('stats', false), avg(big)), scalar('@a', agg('avg', false), avg(big)),
    scalar('@b', agg('avg', false), avg(half, half)), scalar('@c', agg('stats'), avg(-5n, -6n))]), expected);
});

// bpftrace -e 'BEGIN { @[1]=stats(9); @[2]=stats(4);@[2]=stats(4);@[2]=stats(4);@[2]=stats(4); @[3]=stats(1); @[4]=stats(-100); exit(); }'
test("stats sorted by average", () => {
  const expected = "Attaching 1 probe...\n\n\n@[4]: count 1, average -100, total -100\n@[3]: count 1, average 1, total 1\n@[2]: count 4, average 4, total 16\n@[1]: count 1, average 9, total 9\n\n";
  assert.is(attach + formatExitMaps([map('@', s64, agg('stats'), [[[1n], avg(9n)], [[2n], avg(4n, 4n, 4n, 4n)], [[3n], avg(1n)], [[4n], avg(-100n)]])]), expected);
});

// bpftrace -e 'BEGIN { @x=stats(1); zero(@x); @c[1]=count(); zero(@c); @h=hist(1); zero(@h); @y=2; exit(); }'
test("zeroed stats, count and hist", () => {
  const expected = "Attaching 1 probe...\n\n\n@c[1]: 0\n@h: \n\n@x: count 0, average 0, total 0\n\n@y: 2\n";
  assert.is(attach + formatExitMaps([scalar('@x', agg('stats'), { count: 0n, total: 0n }), map('@c', s64, COUNT, [[[1n], 0n]]),
    scalar('@h', agg('hist'), hist()), scalar('@y', s64, 2n)]), expected);
});

// bpftrace -e 'BEGIN { exit(); } interval:s:100 { @a = count(); @b = sum(5); @c = avg(5); @d = min(5); @e = max(5); @f = stats(5); @g = hist(5); @h = lhist(5, 0, 10, 1); @i = 5; @j = "str"; @k = (1, "a"); }'
test("empty maps print one blank line, avg and stats two", () => {
  const expected = "Attaching 2 probes...\n\n\n@a: 0\n\n\n\n\n\n\n\n\n\n\n\n\n";
  const maps = [scalar('@a', COUNT, 0n), empty('@b', agg('sum'), null), empty('@c', agg('avg'), null), empty('@d', agg('min'), null),
    empty('@e', agg('max'), null), empty('@f', agg('stats'), null), empty('@g', agg('hist'), null), empty('@h', lh(0n, 10n, 1n), null),
    empty('@i', s64, null), empty('@j', str, null), empty('@k', tup(s64, str), null)];
  assert.is('Attaching 2 probes...\n' + formatExitMaps(maps), expected);
});

// bpftrace -e 'BEGIN { @h=hist(5); @h=hist(0); @h=hist(-1); exit(); }'
test("hist: negative, zero, one and a gap", () => {
  const expected = "Attaching 1 probe...\n\n\n@h: \n(..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n[0]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n[1]                    0 |                                                    |\n[2, 4)                 0 |                                                    |\n[4, 8)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n";
  assert.is(attach + formatExitMaps([scalar('@h', agg('hist'), hist(5n, 0n, -1n))]), expected);
});

// bpftrace -e 'BEGIN { @d = hist(1023); @d=hist(1025); @d=hist((1<<20)-1); exit(); }'
test("hist: K and M labels, trimmed ends, inner zeros kept", () => {
  const expected = "Attaching 1 probe...\n\n\n@d: \n[512, 1K)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n[1K, 2K)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n[2K, 4K)               0 |                                                    |\n[4K, 8K)               0 |                                                    |\n[8K, 16K)              0 |                                                    |\n[16K, 32K)             0 |                                                    |\n[32K, 64K)             0 |                                                    |\n[64K, 128K)            0 |                                                    |\n[128K, 256K)           0 |                                                    |\n[256K, 512K)           0 |                                                    |\n[512K, 1M)             1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n";
  assert.is(attach + formatExitMaps([scalar('@d', agg('hist'), hist(1023n, 1025n, (1n << 20n) - 1n))]), expected);
});

// bpftrace -e 'BEGIN { @h=hist(1<<30); @h=hist(0x80000000); @h=hist(0xffffffff); @h=hist(0xfffffffe); @h=hist(3000000000); @h=hist(-(1<<40)); @h=hist(-5); @h=hist(1024); exit(); }'
test("hist: G labels and bar scaling", () => {
  const expected = "Attaching 1 probe...\n\n\n@h: \n(..., 0)               2 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n[0]                    0 |                                                    |\n[1]                    0 |                                                    |\n[2, 4)                 0 |                                                    |\n[4, 8)                 0 |                                                    |\n[8, 16)                0 |                                                    |\n[16, 32)               0 |                                                    |\n[32, 64)               0 |                                                    |\n[64, 128)              0 |                                                    |\n[128, 256)             0 |                                                    |\n[256, 512)             0 |                                                    |\n[512, 1K)              0 |                                                    |\n[1K, 2K)               1 |@@@@@@@@@@@@@                                       |\n[2K, 4K)               0 |                                                    |\n[4K, 8K)               0 |                                                    |\n[8K, 16K)              0 |                                                    |\n[16K, 32K)             0 |                                                    |\n[32K, 64K)             0 |                                                    |\n[64K, 128K)            0 |                                                    |\n[128K, 256K)           0 |                                                    |\n[256K, 512K)           0 |                                                    |\n[512K, 1M)             0 |                                                    |\n[1M, 2M)               0 |                                                    |\n[2M, 4M)               0 |                                                    |\n[4M, 8M)               0 |                                                    |\n[8M, 16M)              0 |                                                    |\n[16M, 32M)             0 |                                                    |\n[32M, 64M)             0 |                                                    |\n[64M, 128M)            0 |                                                    |\n[128M, 256M)           0 |                                                    |\n[256M, 512M)           0 |                                                    |\n[512M, 1G)             0 |                                                    |\n[1G, 2G)               1 |@@@@@@@@@@@@@                                       |\n[2G, 4G)               4 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n";
  assert.is(attach + formatExitMaps([scalar('@h', agg('hist'), hist(1n << 30n, 0x80000000n, 0xffffffffn, 0xfffffffen, 3000000000n, -(1n << 40n), -5n, 1024n))]), expected);
});

// bpftrace -e 'BEGIN { @["x y"]=hist(3); @["x y"]=hist(3); @["z"]=hist(100); @[""]=hist(0); @[""]=hist(0); @[""]=hist(1); exit(); }'
test("keyed hist sorted by total count, string keys with spaces", () => {
  const expected = "Attaching 1 probe...\n\n\n@[z]: \n[64, 128)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n@[x y]: \n[2, 4)                 2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n@[]: \n[0]                    2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n[1]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n\n";
  assert.is(attach + formatExitMaps([map('@', str, agg('hist'), [[['x y'], hist(3n, 3n)], [['z'], hist(100n)], [[''], hist(0n, 0n, 1n)]])]), expected);
});

// bpftrace -e 'BEGIN { @a=lhist(-5,0,10,1); @a=lhist(100,0,10,1); @a=lhist(10,0,10,1); @a = lhist(3, 0, 10, 1); exit(); }'
test("lhist: underflow, overflow and inner zeros", () => {
  const expected = "Attaching 1 probe...\n\n\n@a: \n(..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n[0, 1)                 0 |                                                    |\n[1, 2)                 0 |                                                    |\n[2, 3)                 0 |                                                    |\n[3, 4)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n[4, 5)                 0 |                                                    |\n[5, 6)                 0 |                                                    |\n[6, 7)                 0 |                                                    |\n[7, 8)                 0 |                                                    |\n[8, 9)                 0 |                                                    |\n[9, 10)                0 |                                                    |\n[10, ...)              2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n";
  const t = lh(0n, 10n, 1n);
  assert.is(attach + formatExitMaps([scalar('@a', t, lhist(t, -5n, 100n, 10n, 3n))]), expected);
});

// bpftrace -e 'BEGIN { unroll(1) { @l = lhist(1, 0, 200, 1); } unroll(2) { @l = lhist(2, 0, 200, 1); } unroll(3) { @l = lhist(3, 0, 200, 1); } unroll(5) { @l = lhist(5, 0, 200, 1); } unroll(7) { @l = lhist(7, 0, 200, 1); } unroll(11) { @l = lhist(11, 0, 200, 1); } unroll(13) { @l = lhist(13, 0, 200, 1); } unroll(17) { @l = lhist(17, 0, 200, 1); } unroll(25) { @l = lhist(25, 0, 200, 1); } unroll(26) { @l = lhist(26, 0, 200, 1); } unroll(27) { @l = lhist(27, 0, 200, 1); } unroll(51) { @l = lhist(51, 0, 200, 1); } unroll(53) { @l = lhist(53, 0, 200, 1); } unroll(77) { @l = lhist(77, 0, 200, 1); } unroll(99) { @l = lhist(99, 0, 200, 1); } unroll(100) { @l = lhist(100,0,200,1); } unroll(3) { @l = lhist(100,0,200,1); } exit(); }'
test("lhist: bars round down against the largest bucket", () => {
  const expected = "Attaching 1 probe...\n\n\n@l: \n[1, 2)                 1 |                                                    |\n[2, 3)                 2 |@                                                   |\n[3, 4)                 3 |@                                                   |\n[4, 5)                 0 |                                                    |\n[5, 6)                 5 |@@                                                  |\n[6, 7)                 0 |                                                    |\n[7, 8)                 7 |@@@                                                 |\n[8, 9)                 0 |                                                    |\n[9, 10)                0 |                                                    |\n[10, 11)               0 |                                                    |\n[11, 12)              11 |@@@@@                                               |\n[12, 13)               0 |                                                    |\n[13, 14)              13 |@@@@@@                                              |\n[14, 15)               0 |                                                    |\n[15, 16)               0 |                                                    |\n[16, 17)               0 |                                                    |\n[17, 18)              17 |@@@@@@@@                                            |\n[18, 19)               0 |                                                    |\n[19, 20)               0 |                                                    |\n[20, 21)               0 |                                                    |\n[21, 22)               0 |                                                    |\n[22, 23)               0 |                                                    |\n[23, 24)               0 |                                                    |\n[24, 25)               0 |                                                    |\n[25, 26)              25 |@@@@@@@@@@@@                                        |\n[26, 27)              26 |@@@@@@@@@@@@@                                       |\n[27, 28)              27 |@@@@@@@@@@@@@                                       |\n[28, 29)               0 |                                                    |\n[29, 30)               0 |                                                    |\n[30, 31)               0 |                                                    |\n[31, 32)               0 |                                                    |\n[32, 33)               0 |                                                    |\n[33, 34)               0 |                                                    |\n[34, 35)               0 |                                                    |\n[35, 36)               0 |                                                    |\n[36, 37)               0 |                                                    |\n[37, 38)               0 |                                                    |\n[38, 39)               0 |                                                    |\n[39, 40)               0 |                                                    |\n[40, 41)               0 |                                                    |\n[41, 42)               0 |                                                    |\n[42, 43)               0 |                                                    |\n[43, 44)               0 |                                                    |\n[44, 45)               0 |                                                    |\n[45, 46)               0 |                                                    |\n[46, 47)               0 |                                                    |\n[47, 48)               0 |                                                    |\n[48, 49)               0 |                                                    |\n[49, 50)               0 |                                                    |\n[50, 51)               0 |                                                    |\n[51, 52)              51 |@@@@@@@@@@@@@@@@@@@@@@@@@                           |\n[52, 53)               0 |                                                    |\n[53, 54)              53 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n[54, 55)               0 |                                                    |\n[55, 56)               0 |                                                    |\n[56, 57)               0 |                                                    |\n[57, 58)               0 |                                                    |\n[58, 59)               0 |                                                    |\n[59, 60)               0 |                                                    |\n[60, 61)               0 |                                                    |\n[61, 62)               0 |                                                    |\n[62, 63)               0 |                                                    |\n[63, 64)               0 |                                                    |\n[64, 65)               0 |                                                    |\n[65, 66)               0 |                                                    |\n[66, 67)               0 |                                                    |\n[67, 68)               0 |                                                    |\n[68, 69)               0 |                                                    |\n[69, 70)               0 |                                                    |\n[70, 71)               0 |                                                    |\n[71, 72)               0 |                                                    |\n[72, 73)               0 |                                                    |\n[73, 74)               0 |                                                    |\n[74, 75)               0 |                                                    |\n[75, 76)               0 |                                                    |\n[76, 77)               0 |                                                    |\n[77, 78)              77 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@              |\n[78, 79)               0 |                                                    |\n[79, 80)               0 |                                                    |\n[80, 81)               0 |                                                    |\n[81, 82)               0 |                                                    |\n[82, 83)               0 |                                                    |\n[83, 84)               0 |                                                    |\n[84, 85)               0 |                                                    |\n[85, 86)               0 |                                                    |\n[86, 87)               0 |                                                    |\n[87, 88)               0 |                                                    |\n[88, 89)               0 |                                                    |\n[89, 90)               0 |                                                    |\n[90, 91)               0 |                                                    |\n[91, 92)               0 |                                                    |\n[92, 93)               0 |                                                    |\n[93, 94)               0 |                                                    |\n[94, 95)               0 |                                                    |\n[95, 96)               0 |                                                    |\n[96, 97)               0 |                                                    |\n[97, 98)               0 |                                                    |\n[98, 99)               0 |                                                    |\n[99, 100)             99 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@   |\n[100, 101)           103 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n";
  const t = lh(0n, 200n, 1n);
  const samples: bigint[] = [];
  for (const c of [1, 2, 3, 5, 7, 11, 13, 17, 25, 26, 27, 51, 53, 77, 99]) samples.push(...rep(c, BigInt(c)));
  samples.push(...rep(103, 100n));
  assert.is(attach + formatExitMaps([scalar('@l', t, lhist(t, ...samples))]), expected);
});

// bpftrace -e 'BEGIN { @a=lhist(1500000,1000000,2000000,100000); @b = lhist(1536,0,4096,512); @c = lhist(1000,0,4096,1000); @d=lhist(1100,1024,4096,1536); @d=lhist(3000,1024,4096,1536); @d=lhist(5000,1024,4096,1536); @e=lhist(1049600,1049600,3148800,1049600); @f = lhist(5, 1024, 2048, 512); @g = lhist(1048586, 1048576, 1050112, 512); exit(); }'
test("lhist: labels with K and M only when exact, wide labels", () => {
  const expected = "Attaching 1 probe...\n\n\n@a: \n[1500000, 1600000)       1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n@b: \n[1536, 2K)             1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n@c: \n[1000, 2000)           1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n@d: \n[1K, 2560)             1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n[2560, 4K)             1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n[4K, ...)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n@e: \n[1025K, 2050K)         1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n@f: \n(..., 1K)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n@g: \n[1M, 1049088)          1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n";
  const a = lh(1000000n, 2000000n, 100000n), b = lh(0n, 4096n, 512n), c = lh(0n, 4096n, 1000n), d = lh(1024n, 4096n, 1536n);
  const e = lh(1049600n, 3148800n, 1049600n), f = lh(1024n, 2048n, 512n), g = lh(1048576n, 1050112n, 512n);
  assert.is(attach + formatExitMaps([scalar('@a', a, lhist(a, 1500000n)), scalar('@b', b, lhist(b, 1536n)), scalar('@c', c, lhist(c, 1000n)),
    scalar('@d', d, lhist(d, 1100n, 3000n, 5000n)), scalar('@e', e, lhist(e, 1049600n)), scalar('@f', f, lhist(f, 5n)), scalar('@g', g, lhist(g, 1048586n))]), expected);
});

// bpftrace -e 'BEGIN { @h=lhist(5, 3, 10, 2); @h=lhist(2, 3, 10, 2);@h=lhist(11, 3, 10, 2); @c = lhist(1073741824, 1073741824, 2147483648, 1073741824); @k[1]=lhist(5,0,10,1); @k[1]=lhist(5,0,10,1); @k[2]=lhist(7,0,10,1); exit(); }'
test("lhist: range not a multiple of the step, 32-bit labels", () => {
  const expected = "Attaching 1 probe...\n\n\n@c: \n[1024M, -2048M)        1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n@h: \n(..., 3)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n[3, 5)                 0 |                                                    |\n[5, 7)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n[7, 9)                 0 |                                                    |\n[10, ...)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n@k[2]: \n[7, 8)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n@k[1]: \n[5, 6)                 2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n";
  const h = lh(3n, 10n, 2n), c = lh(1n << 30n, 1n << 31n, 1n << 30n), k = lh(0n, 10n, 1n);
  assert.is(attach + formatExitMaps([scalar('@h', h, lhist(h, 5n, 2n, 11n)), scalar('@c', c, lhist(c, 1n << 30n)),
    map('@k', s64, k, [[[1n], lhist(k, 5n, 5n)], [[2n], lhist(k, 7n)]])]), expected);
});

// bpftrace -e 'BEGIN { @u["b"]="x"; @u["a"]="y"; @u["c"]="x"; @u["ab"]="x"; @u["B"]="x"; @u[""]="z"; exit(); }'
test("string values sort by key bytewise", () => {
  const expected = "Attaching 1 probe...\n\n\n@u[]: z\n@u[B]: x\n@u[a]: y\n@u[ab]: x\n@u[b]: x\n@u[c]: x\n";
  assert.is(attach + formatExitMaps([map('@u', str, str, [[['b'], 'x'], [['a'], 'y'], [['c'], 'x'], [['ab'], 'x'], [['B'], 'x'], [[''], 'z']])]), expected);
});

// bpftrace -e 'BEGIN { @s[1] = "x"; @s[256] = "b"; @s[255]="a"; @s[512]="z"; @s[257]="q"; @s[-2]="c"; @s[-256]="d"; @q[(int8)1]="a"; @q[(int8)-1]="b"; @q[(int8)2]="c"; exit(); }'
test("integer keys of non-numeric maps sort as unsigned", () => {
  const expected = "Attaching 1 probe...\n\n\n@q[1]: a\n@q[2]: c\n@q[-1]: b\n@s[1]: x\n@s[255]: a\n@s[256]: b\n@s[257]: q\n@s[512]: z\n@s[-256]: d\n@s[-2]: c\n";
  const i8 = intType(8, true);
  assert.is(attach + formatExitMaps([map('@s', s64, str, [[[1n], 'x'], [[256n], 'b'], [[255n], 'a'], [[512n], 'z'], [[257n], 'q'], [[-2n], 'c'], [[-256n], 'd']]),
    map('@q', i8, str, [[[1n], 'a'], [[-1n], 'b'], [[2n], 'c']])]), expected);
});

// bpftrace -e 'BEGIN { @p["b", 1] = "a"; @p["a", 256]="b"; @p["a", 1] = "c"; @p["a", 2] = "d"; exit(); }'
test("multi-key maps sort component-wise", () => {
  const expected = "Attaching 1 probe...\n\n\n@p[a, 1]: c\n@p[a, 2]: d\n@p[a, 256]: b\n@p[b, 1]: a\n";
  assert.is(attach + formatExitMaps([map('@p', tup(str, s64), str, [[['b', 1n], 'a'], [['a', 256n], 'b'], [['a', 1n], 'c'], [['a', 2n], 'd']])]), expected);
});

// bpftrace -e 'BEGIN { @[1,"a b"]=count(); @[2,"c"]=count(); @[2,"c"]=count(); exit(); }'
test("tuple keys with counts", () => {
  const expected = "Attaching 1 probe...\n\n\n@[1, a b]: 1\n@[2, c]: 2\n";
  assert.is(attach + formatExitMaps([map('@', tup(s64, str), COUNT, [[[2n, 'c'], 2n], [[1n, 'a b'], 1n]])]), expected);
});

// bpftrace -e 'BEGIN { @s = "hello world"; @t = (1, (2, "x"), "y z"); @k["k"] = ("x", 3); @n[1,"x y",-5] = 1; exit(); }'
test("string and tuple values, nested tuples", () => {
  const expected = "Attaching 1 probe...\n\n\n@k[k]: (x, 3)\n@n[1, x y, -5]: 1\n@s: hello world\n@t: (1, (2, x), y z)\n";
  assert.is(attach + formatExitMaps([scalar('@s', str, 'hello world'), scalar('@t', tup(s64, tup(s64, str), str), [1n, [2n, 'x'], 'y z']),
    map('@k', str, tup(str, s64), [[['k'], ['x', 3n]]]), map('@n', tup(s64, str, s64), s64, [[[1n, 'x y', -5n], 1n]])]), expected);
});

// bpftrace -e 'BEGIN { @a[(uint64)0xffffffffffffffff] = 1; @b[(uint32)0xffffffff] = 1; @d[(uint8)255]=1; @e[(int32)-1] = 1; @f[(uint16)65535, (uint32)4294967295] = 1; exit(); }'
test("integer keys print as signed 64-bit", () => {
  const expected = "Attaching 1 probe...\n\n\n@a[-1]: 1\n@b[4294967295]: 1\n@d[255]: 1\n@e[-1]: 1\n@f[65535, 4294967295]: 1\n";
  const u32 = intType(32, false), i32 = intType(32, true), u16 = intType(16, false), u8 = intType(8, false);
  assert.is(attach + formatExitMaps([map('@a', u64, s64, [[[0xffffffffffffffffn], 1n]]), map('@b', u32, s64, [[[0xffffffffn], 1n]]),
    map('@d', u8, s64, [[[255n], 1n]]), map('@e', i32, s64, [[[-1n], 1n]]), map('@f', tup(u16, u32), s64, [[[65535n, 4294967295n], 1n]])]), expected);
});

// bpftrace -e 'BEGIN { @[1] = (uint64)0xffffffffffffffff; @[2] = (uint64)1; @[3]=(uint64)0x8000000000000000; $x=(int8)-1; @b[1] = $x; @b[2] = (int8)5; @c[1]=(uint32)0xffffffff; @c[2]=(uint32)7; exit(); }'
test("integer values honour their type", () => {
  const expected = "Attaching 1 probe...\n\n\n@[2]: 1\n@[3]: 9223372036854775808\n@[1]: 18446744073709551615\n@b[1]: -1\n@b[2]: 5\n@c[2]: 7\n@c[1]: 4294967295\n";
  const i8 = intType(8, true), u32 = intType(32, false);
  assert.is(attach + formatExitMaps([map('@', s64, u64, [[[1n], 0xffffffffffffffffn], [[2n], 1n], [[3n], 0x8000000000000000n]]),
    map('@b', s64, i8, [[[1n], -1n], [[2n], 5n]]), map('@c', s64, u32, [[[1n], 0xffffffffn], [[2n], 7n]])]), expected);
});

// bpftrace -e 'BEGIN { @[1]=1; @[2]=2; @[3]=3; @[4]=4; print(@, 2); print(@, 0, 2); print(@,2,3); print(@, 10); exit(); }'
test("print(@m, top, div) on a keyed count", () => {
  const expected = "Attaching 1 probe...\n@[3]: 3\n@[4]: 4\n@[1]: 0\n@[2]: 1\n@[3]: 1\n@[4]: 2\n@[3]: 1\n@[4]: 1\n@[1]: 1\n@[2]: 2\n@[3]: 3\n@[4]: 4\n\n\n@[1]: 1\n@[2]: 2\n@[3]: 3\n@[4]: 4\n";
  const m = map('@', s64, s64, [[[1n], 1n], [[2n], 2n], [[3n], 3n], [[4n], 4n]]);
  const printed = formatMap(m, { top: 2 }) + formatMap(m, { top: 0, div: 2 }) + formatMap(m, { top: 2, div: 3 }) + formatMap(m, { top: 10 });
  assert.is(attach + printed + formatExitMaps([m]), expected);
});

// bpftrace -e 'BEGIN { @h=hist(2);@h=hist(2);@h=hist(2);@h=hist(8); @h=hist(0); @k[1]=hist(1); @k[2]=hist(2);@k[2]=hist(2);@k[2]=hist(2); @k[3]=hist(1); @k[3]=hist(1); print(@h, 0, 2); print(@k, 1); print(@k, 0, 2); clear(@h); clear(@k); exit(); }'
test("print(@h, top, div): div divides counts, not bars", () => {
  const expected = "Attaching 1 probe...\n@h: \n[0]                    0 |@@@@@@@@@@@@@@@@@                                   |\n[1]                    0 |                                                    |\n[2, 4)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n[4, 8)                 0 |                                                    |\n[8, 16)                0 |@@@@@@@@@@@@@@@@@                                   |\n\n@k[2]: \n[2, 4)                 3 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n@k[1]: \n[1]                    0 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n@k[3]: \n[1]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n@k[2]: \n[2, 4)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n\n\n\n\n";
  const h = scalar('@h', agg('hist'), hist(2n, 2n, 2n, 8n, 0n));
  const k = map('@k', s64, agg('hist'), [[[1n], hist(1n)], [[2n], hist(2n, 2n, 2n)], [[3n], hist(1n, 1n)]]);
  const printed = formatMap(h, { div: 2 }) + formatMap(k, { top: 1 }) + formatMap(k, { div: 2 });
  assert.is(attach + printed + formatExitMaps([empty('@h', agg('hist'), null), empty('@k', agg('hist'))]), expected);
});

// bpftrace -e 'BEGIN { @l[1]=lhist(1,0,10,1);@l[1]=lhist(1,0,10,1);@l[2]=lhist(3,0,10,1); @l[3]=lhist(3,0,10,1); @l[3]=lhist(3,0,10,1); @l[3]=lhist(3,0,10,1); @l[3]=lhist(9,0,10,1); print(@l, 1); print(@l, 2, 2); clear(@l); exit(); }'
test("print(@l, top, div): lhist ignores div", () => {
  const expected = "Attaching 1 probe...\n@l[3]: \n[3, 4)                 3 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n[4, 5)                 0 |                                                    |\n[5, 6)                 0 |                                                    |\n[6, 7)                 0 |                                                    |\n[7, 8)                 0 |                                                    |\n[8, 9)                 0 |                                                    |\n[9, 10)                1 |@@@@@@@@@@@@@@@@@                                   |\n\n@l[1]: \n[1, 2)                 2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n@l[3]: \n[3, 4)                 3 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n[4, 5)                 0 |                                                    |\n[5, 6)                 0 |                                                    |\n[6, 7)                 0 |                                                    |\n[7, 8)                 0 |                                                    |\n[8, 9)                 0 |                                                    |\n[9, 10)                1 |@@@@@@@@@@@@@@@@@                                   |\n\n\n\n\n";
  const t = lh(0n, 10n, 1n);
  const l = map('@l', s64, t, [[[1n], lhist(t, 1n, 1n)], [[2n], lhist(t, 3n)], [[3n], lhist(t, 3n, 3n, 3n, 9n)]]);
  assert.is(attach + formatMap(l, { top: 1 }) + formatMap(l, { top: 2, div: 2 }) + formatExitMaps([empty('@l', t)]), expected);
});

// bpftrace -e 'BEGIN { @[1]=stats(10); @[2]=stats(20); print(@, 1); print(@, 0, 3); @a[1]=avg(10); @a[2]=avg(21); @a[3]=avg(30); print(@a, 2, 3); clear(@a); exit(); }'
test("print on avg honours top and div, on stats ignores them", () => {
  const expected = "Attaching 1 probe...\n@[1]: count 1, average 10, total 10\n@[2]: count 1, average 20, total 20\n\n@[1]: count 1, average 10, total 10\n@[2]: count 1, average 20, total 20\n\n@a[2]: 7\n@a[3]: 10\n\n\n\n@[1]: count 1, average 10, total 10\n@[2]: count 1, average 20, total 20\n\n\n\n";
  const s = map('@', s64, agg('stats'), [[[1n], avg(10n)], [[2n], avg(20n)]]);
  const a = map('@a', s64, agg('avg'), [[[1n], avg(10n)], [[2n], avg(21n)], [[3n], avg(30n)]]);
  assert.is(attach + formatMap(s, { top: 1 }) + formatMap(s, { div: 3 }) + formatMap(a, { top: 2, div: 3 }) + formatExitMaps([s, empty('@a', agg('avg'))]), expected);
});

// bpftrace -e 'BEGIN { @s = sum(7); print(@s, 0, 2); @c[1] = count(); print(@c, 0, 3); @m[1]=min(7); print(@m, 0, 2); @x = 9; print(@x, 0, 2); @y = -9; print(@y, 0, 2); clear(@s); clear(@c); clear(@m); clear(@x); clear(@y); exit(); }'
test("print with div on scalars truncates toward zero", () => {
  const expected = "Attaching 1 probe...\n@s: 3\n@c[1]: 0\n@m[1]: 3\n@x: 4\n@y: -4\n\n\n\n\n\n\n\n";
  const printed = formatMap(scalar('@s', agg('sum'), 7n), { div: 2 }) + formatMap(map('@c', s64, COUNT, [[[1n], 1n]]), { div: 3 })
    + formatMap(map('@m', s64, agg('min'), [[[1n], 7n]]), { div: 2 }) + formatMap(scalar('@x', s64, 9n), { div: 2 }) + formatMap(scalar('@y', s64, -9n), { div: 2 });
  const gone = [empty('@s', agg('sum'), null), empty('@c', COUNT), empty('@m', agg('min')), empty('@x', s64, null), empty('@y', s64, null)];
  assert.is(attach + printed + formatExitMaps(gone), expected);
});

// bpftrace -e 'BEGIN { printf("-\n"); print(@a); printf("-\n"); print(@b); printf("-\n"); print(@c); printf("-"); exit(); } interval:s:100 { @a = avg(1); @b[1] = hist(1); @c = 5; }'
test("print of empty maps", () => {
  const expected = "Attaching 2 probes...\n-\n\n\n-\n\n-\n\n-\n\n\n\n\n\n";
  const a = empty('@a', agg('avg'), null), b = empty('@b', agg('hist')), c = empty('@c', s64, null);
  assert.is('Attaching 2 probes...\n-\n' + formatMap(a) + '-\n' + formatMap(b) + '-\n' + formatMap(c) + '-' + formatExitMaps([a, b, c]), expected);
});

// bpftrace -e 'BEGIN { print(5); print(-5); print("str"); print((1, "a", (2, 3))); exit(); }'
test("print() of plain values", () => {
  const expected = "Attaching 1 probe...\n5\n-5\nstr\n(1, a, (2, 3))\n\n\n";
  const lines = [formatValue(s64, 5n), formatValue(s64, -5n), formatValue(str, 'str'), formatValue(tup(s64, str, tup(s64, s64)), [1n, 'a', [2n, 3n]])];
  assert.is(attach + lines.map((l) => l + '\n').join('') + formatExitMaps([]), expected);
});

// bpftrace -e 'BEGIN { @x=1; print(@x); @k[2]=3; @k[1]=1; print(@k); @v = avg(4); print(@v); printf("after"); exit(); }'
test("print of a scalar and a keyed map mid-run", () => {
  const expected = "Attaching 1 probe...\n@x: 1\n@k[1]: 1\n@k[2]: 3\n@v: 4\n\nafter\n\n@k[1]: 1\n@k[2]: 3\n@v: 4\n\n@x: 1\n";
  const x = scalar('@x', s64, 1n), k = map('@k', s64, s64, [[[2n], 3n], [[1n], 1n]]), v = scalar('@v', agg('avg'), avg(4n));
  assert.is(attach + formatMap(x) + formatMap(k) + formatMap(v) + 'after' + formatExitMaps([x, k, v]), expected);
});

// Speed is measured in bench/, never asserted here; this checks the order of a large map.
test('100,000 keys: one line each, sorted by value', () => {
  const entries: [Value[], bigint][] = [];
  for (let i = 0; i < 100000; i++) entries.push([[BigInt(i)], BigInt((i * 7919) % 100003)]);
  const lines = formatMap(map('@big', u64, COUNT, entries)).split('\n');
  assert.is(lines.length, 100001);
  const values = lines.slice(0, -1).map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
  for (let i = 1; i < values.length; i++) assert.ok(values[i - 1] <= values[i], `line ${i} out of order`);
});

test.run();
