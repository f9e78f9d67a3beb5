// -f json formatting, checked against bpftrace 0.17. Every expected line below is what bpftrace
// 0.17 printed (stdout, byte for byte) for the program in the comment above its test; the test
// rebuilds the maps as the runtime hands them over and formats them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatExitMapsJson, formatMapJson, jsonString, jsonValue } from '../../runtime/format/json';
import { s64, stringType, u64, type Value } from '../../common/types';
import { agg, hist, lh, lhist, map, tup } from './map-data';

const str = stringType(16);

// bpftrace -f json -e 'BEGIN { @a[1]=count(); @a[2]=count(); @a[2]=count(); ... exit(); }'
test('count map: keys as strings, sorted by value', () => {
  assert.is(formatMapJson(map('@a', s64, agg('count', false), [[[2n], 2n], [[1n], 1n]])), '{"type": "map", "data": {"@a": {"1": 1, "2": 2}}}\n');
});

test('keyless sum, min, plain values', () => {
  assert.is(formatMapJson(map('@s', null, agg('sum'), [[null, 5n]])), '{"type": "map", "data": {"@s": 5}}\n');
  assert.is(formatMapJson(map('@mi', null, agg('min'), [[null, -3n]])), '{"type": "map", "data": {"@mi": -3}}\n');
  assert.is(formatMapJson(map('@x', null, s64, [[null, 5n]])), '{"type": "map", "data": {"@x": 5}}\n');
});

// @h=hist(5); @h=hist(100)
test('hist: buckets from the first to the last non-empty one', () => {
  assert.is(
    formatMapJson(map('@h', null, agg('hist'), [[null, hist(5n, 100n)]])),
    '{"type": "hist", "data": {"@h": [{"min": 4, "max": 7, "count": 1}, {"min": 8, "max": 15, "count": 0}, {"min": 16, "max": 31, "count": 0}, {"min": 32, "max": 63, "count": 0}, {"min": 64, "max": 127, "count": 1}]}}\n',
  );
});

// @h[1]=hist(-5); @h[1]=hist(0); @h[1]=hist(1); @h[2]=hist(1000000)
test('keyed hist: negative bucket has no min, sorted by total count', () => {
  assert.is(
    formatMapJson(map('@h', s64, agg('hist'), [[[1n], hist(-5n, 0n, 1n)], [[2n], hist(1000000n)]])),
    '{"type": "hist", "data": {"@h": {"2": [{"min": 524288, "max": 1048575, "count": 1}], "1": [{"max": -1, "count": 1}, {"min": 0, "max": 0, "count": 1}, {"min": 1, "max": 1, "count": 1}]}}}\n',
  );
});

// BEGIN { @h = hist(1073741824); @h = hist(4294967295); exit(); }
test('hist: the [2G, 4G) bucket prints bpftrace 0.17s 32-bit bounds', () => {
  assert.is(
    formatMapJson(map('@h', null, agg('hist'), [[null, hist(1073741824n, 4294967295n)]])),
    '{"type": "hist", "data": {"@h": [{"min": 1073741824, "max": 2147483647, "count": 1}, {"min": -2147483648, "max": 0, "count": 1}]}}\n',
  );
});

// @l[3]=lhist(-3,0,10,2); @l[3]=lhist(30,0,10,2); @l[4]=lhist(5,0,10,2)
test('lhist: open ends, sorted by total count', () => {
  const t = lh(0n, 10n, 2n);
  assert.is(
    formatMapJson(map('@l', s64, t, [[[3n], lhist(t, -3n, 30n)], [[4n], lhist(t, 5n)]])),
    '{"type": "hist", "data": {"@l": {"4": [{"min": 4, "max": 5, "count": 1}], "3": [{"max": -1, "count": 1}, {"min": 0, "max": 1, "count": 0}, {"min": 2, "max": 3, "count": 0}, {"min": 4, "max": 5, "count": 0}, {"min": 6, "max": 7, "count": 0}, {"min": 8, "max": 9, "count": 0}, {"min": 10, "count": 1}]}}}\n',
  );
});

// @v[1]=avg(10); @v[2]=avg(2); @t[1]=stats(3); @t2=stats(4)
test('avg and stats are type "stats"', () => {
  assert.is(formatMapJson(map('@v', s64, agg('avg'), [[[1n], { count: 1n, total: 10n }], [[2n], { count: 1n, total: 2n }]])), '{"type": "stats", "data": {"@v": {"2": 2, "1": 10}}}\n');
  assert.is(formatMapJson(map('@t', s64, agg('stats'), [[[1n], { count: 1n, total: 3n }]])), '{"type": "stats", "data": {"@t": {"1": {"count": 1, "average": 3, "total": 3}}}}\n');
  assert.is(formatMapJson(map('@t', null, agg('stats'), [[null, { count: 1n, total: 4n }]])), '{"type": "stats", "data": {"@t": {"count": 1, "average": 4, "total": 4}}}\n');
});

// @tu[1,"a"]=(1,"b"); @str["a"]="hello"
test('tuple keys join with a comma; tuple values are compact arrays', () => {
  assert.is(formatMapJson(map('@tu', tup(s64, str), tup(s64, str), [[[1n, 'a'], [1n, 'b']]])), '{"type": "map", "data": {"@tu": {"1,a": [1,"b"]}}}\n');
  assert.is(formatMapJson(map('@str', str, str, [[['a'], 'hello']])), '{"type": "map", "data": {"@str": {"a": "hello"}}}\n');
});

// @k[-1]=1; @k[(uint64)-2]=2; @k[0xffffffff]=3
test('integer keys print as signed 64-bit, as in text', () => {
  assert.is(formatMapJson(map('@k', u64, s64, [[[2n ** 64n - 1n], 1n], [[2n ** 64n - 2n], 2n], [[0xffffffffn], 3n]])), '{"type": "map", "data": {"@k": {"-1": 1, "-2": 2, "4294967295": 3}}}\n');
});

// print(@a, 2, 2) of counts 1, 2, 3; print(@h, 1, 2) of hist counts 1 and 4
test('print top and div', () => {
  assert.is(formatMapJson(map('@a', s64, agg('count', false), [[[1n], 1n], [[2n], 2n], [[3n], 3n]]), { top: 2, div: 2 }), '{"type": "map", "data": {"@a": {"2": 1, "3": 1}}}\n');
  assert.is(
    formatMapJson(map('@h', tup(s64, str), agg('hist'), [[[1n, 'a'], hist(5n)], [[2n, 'b'], hist(5n, 5n, 5n, 5n)]]), { top: 1, div: 2 }),
    '{"type": "hist", "data": {"@h": {"2,b": [{"min": 4, "max": 7, "count": 2}]}}}\n',
  );
  const t = lh(0n, 10n, 1n);
  assert.is(formatMapJson(map('@l', s64, t, [[[1n], lhist(t, 5n, 5n)]]), { div: 2 }), '{"type": "hist", "data": {"@l": {"1": [{"min": 5, "max": 5, "count": 2}]}}}\n');
});

// delete(@e[1]) then exit; zero(@h) of a keyless hist, then print(@h)
test('empty maps print nothing; a zeroed hist prints []', () => {
  assert.is(formatMapJson(map('@e', s64, agg('count', false), [])), '');
  assert.is(formatMapJson(map('@h', null, agg('hist'), [[null, hist()]])), '{"type": "hist", "data": {"@h": []}}\n');
  assert.is(formatExitMapsJson([map('@z', null, s64, [[null, 1n]]), map('@e', s64, s64, [])]), '\n\n{"type": "map", "data": {"@z": 1}}\n');
});

// printf("a\x01b\x7fc\xc3\xa9d/e\x1f\r\x08\x0c\t\"\\\n")
test('string escapes, including bytes from 0x80 as sign-extended chars', () => {
  assert.is(jsonString('a\x01b\x7fc\xc3\xa9d/e\x1f\r\x08\x0c\t"\\\n'), '"a\\u0001b\x7fc\\uffffffc3\\uffffffa9d/e\\u001f\\r\\u0008\\u000c\\t\\"\\\\\\n"');
});

// print(123); print("str"); print((1,"x")); print(-5)
test('print(expr) values', () => {
  assert.is(jsonValue(s64, 123n), '123');
  assert.is(jsonValue(str, 'str'), '"str"');
  assert.is(jsonValue(tup(s64, str), [1n, 'x']), '[1,"x"]');
  assert.is(jsonValue(s64, -5n), '-5');
});

test.run();
