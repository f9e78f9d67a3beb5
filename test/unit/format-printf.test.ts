// printf formatting, checked against bpftrace 0.17. Each expected string is what bpftrace 0.17
// printed (stdout, byte for byte) for the program in the comment above the test; the two newlines
// at the end are the ones bpftrace prints at exit. Error texts are bpftrace's ERROR messages.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkPrintf, compilePrintf, formatPrintf, parseFormat } from '../../src/format/printf';
import { intType, s64, stringType, u64, type Type, type Value } from '../../common/types';

const attach = 'Attaching 1 probe...\n';
const run = (fmt: string, args: Value[]) => attach + formatPrintf(fmt, args) + '\n\n';
const str = stringType(64);
const i8 = intType(8, true), u8 = intType(8, false), i16 = intType(16, true), u16 = intType(16, false);
const i32 = intType(32, true), u32 = intType(32, false);
const tup = (...elems: Type[]): Type => ({ kind: 'tuple', elems });
const check = (fmt: string, types: Type[]) => checkPrintf(fmt, types)?.message ?? null;

// bpftrace -e 'BEGIN { printf("%d|%u|%x|%X|%o|%c|%s|%p|%%\n", -5, -5, 255, 255, 8, 65, "str", 4096); exit(); }'
test("all conversions", () => {
  const expected = "Attaching 1 probe...\n-5|4294967291|ff|FF|10|A|str|0x1000|%%\n\n\n";
  assert.is(run('%d|%u|%x|%X|%o|%c|%s|%p|%%\n', [-5n, -5n, 255n, 255n, 8n, 65n, 'str', 4096n]), expected);
});

// bpftrace -e 'BEGIN { printf("[%5d][%-5d][%05d][%-05d][%.3d][%10.3d][%-10s][%.2s][%10.2s]\n", 42, 42, 42, 42, 7, 7, "ab", "abcdef", "abcdef"); exit(); }'
test("widths and justification", () => {
  const expected = "Attaching 1 probe...\n[   42][42   ][00042][42   ][007][       007][ab        ][ab][        ab]\n\n\n";
  assert.is(run('[%5d][%-5d][%05d][%-05d][%.3d][%10.3d][%-10s][%.2s][%10.2s]\n', [42n, 42n, 42n, 42n, 7n, 7n, 'ab', 'abcdef', 'abcdef']), expected);
});

// bpftrace -e 'BEGIN { printf("%hhd %hd %d %ld %lld %zd %jd %td\n", 300, 70000, 5000000000, 5000000000, -5000000000, -1, -2, -3); exit(); }'
test("length modifiers truncate signed", () => {
  const expected = "Attaching 1 probe...\n44 4464 705032704 5000000000 -5000000000 -1 -2 -3\n\n\n";
  assert.is(run('%hhd %hd %d %ld %lld %zd %jd %td\n', [300n, 70000n, 5000000000n, 5000000000n, -5000000000n, -1n, -2n, -3n]), expected);
});

// bpftrace -e 'BEGIN { printf("%hhu %hu %u %lu %llu\n", -1, -1, -1, -1, -2); exit(); }'
test("length modifiers on unsigned", () => {
  const expected = "Attaching 1 probe...\n255 65535 4294967295 18446744073709551615 18446744073709551614\n\n\n";
  assert.is(run('%hhu %hu %u %lu %llu\n', [-1n, -1n, -1n, -1n, -2n]), expected);
});

// bpftrace -e 'BEGIN { printf("%hhx %hx %x %lx %llX %ho %o %lo\n", -1, -1, -1, -1, -1, -1, -1, -1); exit(); }'
test("length modifiers on hex and octal", () => {
  const expected = "Attaching 1 probe...\nff ffff ffffffff ffffffffffffffff FFFFFFFFFFFFFFFF 177777 37777777777 1777777777777777777777\n\n\n";
  assert.is(run('%hhx %hx %x %lx %llX %ho %o %lo\n', [-1n, -1n, -1n, -1n, -1n, -1n, -1n, -1n]), expected);
});

// bpftrace -e 'BEGIN { printf("%lu %lx %u %d %hhd %ld %lu\n", (int8)-1, (int32)-1, (int16)-1, (uint32)0xffffffff, (uint8)255, (uint32)0xffffffff, (uint16)65535); exit(); }'
test("narrow arguments are sign- or zero-extended", () => {
  const expected = "Attaching 1 probe...\n18446744073709551615 ffffffffffffffff 4294967295 -1 -1 4294967295 65535\n\n\n";
  assert.is(run('%lu %lx %u %d %hhd %ld %lu\n', [-1n, -1n, -1n, 0xffffffffn, 255n, 0xffffffffn, 65535n]), expected);
});

// bpftrace -e 'BEGIN { printf("%p|%p|%.8p|%.3p|%20p|%-20p|%05p|%-8p|%8p|\n", 0, 4096, 4096, 0, 0, 4096, 0, 0, 0); exit(); }'
test("pointers", () => {
  const expected = "Attaching 1 probe...\n(nil)|0x1000|0x00001000|(nil)|               (nil)|0x1000              |(nil)|(nil)   |   (nil)|\n\n\n";
  assert.is(run('%p|%p|%.8p|%.3p|%20p|%-20p|%05p|%-8p|%8p|\n', [0n, 4096n, 4096n, 0n, 0n, 4096n, 0n, 0n, 0n]), expected);
});

// bpftrace -e 'BEGIN { printf("%020p|%020d|%-020d|%.3x|%08.3x|%08.3s|%lp|%hp|\n", 4096, -5, -5, 1, 1, "abcdef", 0xffffffff81000000, 0x12345); exit(); }'
test("zero padding after sign and 0x", () => {
  const expected = "Attaching 1 probe...\n0x000000000000001000|-0000000000000000005|-5                  |001|     001|     abc|0xffffffff81000000|0x12345|\n\n\n";
  assert.is(run('%020p|%020d|%-020d|%.3x|%08.3x|%08.3s|%lp|%hp|\n', [4096n, -5n, -5n, 1n, 1n, 'abcdef', 0xffffffff81000000n, 0x12345n]), expected);
});

// bpftrace -e 'BEGIN { printf("%.0s|%.10s|%3s|%-3s|%05s|%5.2s|%-5.2s|%-8s|\n", "abc", "abc", "abcdef", "abcdef", "ab", "abc", "abc", "a b"); exit(); }'
test("strings: precision cuts, width pads with spaces", () => {
  const expected = "Attaching 1 probe...\n|abc|abcdef|abcdef|   ab|   ab|ab   |a b     |\n\n\n";
  assert.is(run('%.0s|%.10s|%3s|%-3s|%05s|%5.2s|%-5.2s|%-8s|\n', ['abc', 'abc', 'abcdef', 'abcdef', 'ab', 'abc', 'abc', 'a b']), expected);
});

// bpftrace -e 'BEGIN { printf("%c%c|%5c|%-5c|%5.3c|%.0c|%05c|%c|\n", 65, 66, 65, 66, 65, 65, 65, 256+67); exit(); }'
test("characters", () => {
  const expected = "Attaching 1 probe...\nAB|    A|B    |    A|A|    A|C|\n\n\n";
  assert.is(run('%c%c|%5c|%-5c|%5.3c|%.0c|%05c|%c|\n', [65n, 66n, 65n, 66n, 65n, 65n, 65n, 323n]), expected);
});

// bpftrace -e 'BEGIN { printf("%.3d|%.3d|%.3u|%.5x|%08.3d|%-8.3d|%8.3d|%.0d|%5.0d|%05.0d|\n", -5, 5, 5, 255, -5, -5, 5, 0, 0, 0); exit(); }'
test("precision on integers", () => {
  const expected = "Attaching 1 probe...\n-005|005|005|000ff|    -005|-005    |     005||     |     |\n\n\n";
  assert.is(run('%.3d|%.3d|%.3u|%.5x|%08.3d|%-8.3d|%8.3d|%.0d|%5.0d|%05.0d|\n', [-5n, 5n, 5n, 255n, -5n, -5n, 5n, 0n, 0n, 0n]), expected);
});

// bpftrace -e 'BEGIN { printf("%08x|%08X|%08o|%08u|%05o|%5x|%-5X|\n", 255, 255, 8, 5, 8, 255, 255); exit(); }'
test("zero flag on every integer conversion", () => {
  const expected = "Attaching 1 probe...\n000000ff|000000FF|00000010|00000005|00010|   ff|FF   |\n\n\n";
  assert.is(run('%08x|%08X|%08o|%08u|%05o|%5x|%-5X|\n', [255n, 255n, 8n, 5n, 8n, 255n, 255n]), expected);
});

// bpftrace -e 'BEGIN { printf("%010u|%.12u|%012.10d|%-12.10d|%20ld|%-22lu|\n", -1, 5, -5, -5, -9223372036854775807, -1); exit(); }'
test("wide fields", () => {
  const expected = "Attaching 1 probe...\n4294967295|000000000005| -0000000005|-0000000005 |-9223372036854775807|18446744073709551615  |\n\n\n";
  assert.is(run('%010u|%.12u|%012.10d|%-12.10d|%20ld|%-22lu|\n', [-1n, 5n, -5n, -5n, -9223372036854775807n, -1n]), expected);
});

// bpftrace -e 'BEGIN { printf("a%%b %d\n", 5); exit(); }'
test("%% before a conversion prints %", () => {
  const expected = "Attaching 1 probe...\na%b 5\n\n\n";
  assert.is(run('a%%b %d\n', [5n]), expected);
});

// bpftrace -e 'BEGIN { printf("%d a%%b\n", 5); exit(); }'
test("%% after the last conversion prints %%", () => {
  const expected = "Attaching 1 probe...\n5 a%%b\n\n\n";
  assert.is(run('%d a%%b\n', [5n]), expected);
});

// bpftrace -e 'BEGIN { printf("%%%d %s%%\n", 5, "ab"); exit(); }'
test("%%%d and a percentage", () => {
  const expected = "Attaching 1 probe...\n%5 ab%%\n\n\n";
  assert.is(run('%%%d %s%%\n', [5n, 'ab']), expected);
});

// bpftrace -e 'BEGIN { printf("a%%b 100%% %\n"); exit(); }'
test("no arguments: the format verbatim", () => {
  const expected = "Attaching 1 probe...\na%%b 100%% %\n\n\n";
  assert.is(run('a%%b 100%% %\n', []), expected);
});

// bpftrace -e 'BEGIN { printf("a%cb|%d|%c|\n", 0, 5, 0); exit(); }'
test("%c of 0 cuts its piece", () => {
  const expected = "Attaching 1 probe...\nab|5||\n\n\n";
  assert.is(run('a%cb|%d|%c|\n', [0n, 5n, 0n]), expected);
});

// bpftrace -e 'BEGIN { printf("[%-3c|%d][%3c|%d]\n", 0, 5, 0, 6); exit(); }'
test("padded %c of 0", () => {
  const expected = "Attaching 1 probe...\n[|5][  |6]\n\n\n";
  assert.is(run('[%-3c|%d][%3c|%d]\n', [0n, 5n, 0n, 6n]), expected);
});

// bpftrace -e 'BEGIN { printf("%K %y %d %e|\n", 5); exit(); }'
test("unknown % sequences stay as text", () => {
  const expected = "Attaching 1 probe...\n%K %y 5 %e|\n\n\n";
  assert.is(run('%K %y %d %e|\n', [5n]), expected);
});

// bpftrace -e 'BEGIN { printf("%5% %-3%|%.2%|%05%|%l%|%d\n", 5); exit(); }'
test("glibc escapes with a width", () => {
  const expected = "Attaching 1 probe...\n% %|%|%|%|5\n\n\n";
  assert.is(run('%5% %-3%|%.2%|%05%|%l%|%d\n', [5n]), expected);
});

// bpftrace -e 'BEGIN { printf("%s %lu %llx\n", comm, (uint64)0 - 1, (uint64)0x8000000000000000); exit(); }'
test("comm and large unsigned", () => {
  const expected = "Attaching 1 probe...\nbpftrace 18446744073709551615 8000000000000000\n\n\n";
  assert.is(run('%s %lu %llx\n', ['bpftrace', 0xffffffffffffffffn, 0x8000000000000000n]), expected);
});

// bpftrace -e 'BEGIN { @x = count(); @h = hist(1); printf("%d\n", 5, 6); exit(); }'
test("error: too many arguments", () => {
  const expected = "printf: Too many arguments for format string (2 supplied, 1 expected)";
  assert.is(check('%d\n', [s64, s64]), expected);
});

// bpftrace -e 'BEGIN { @x = count(); @h = hist(1); printf("%d %d\n", 5); exit(); }'
test("error: not enough arguments", () => {
  const expected = "printf: Not enough arguments for format string (1 supplied, 2 expected)";
  assert.is(check('%d %d\n', [s64]), expected);
});

// bpftrace -e 'BEGIN { @x = count(); @h = hist(1); printf("%s %d\n", 5); exit(); }'
test("error: count is checked before types", () => {
  const expected = "printf: Not enough arguments for format string (1 supplied, 2 expected)";
  assert.is(check('%s %d\n', [s64]), expected);
});

// bpftrace -e 'BEGIN { @x = count(); @h = hist(1); printf("%-10.3s\n", 5); exit(); }'
test("error: %s given an integer", () => {
  const expected = "printf: %s specifier expects a value of type string (integer supplied)";
  assert.is(check('%-10.3s\n', [s64]), expected);
});

// bpftrace -e 'BEGIN { @x = count(); @h = hist(1); printf("%-5ld %s\n", "a", 1); exit(); }'
test("error: %ld given a string", () => {
  const expected = "printf: %ld specifier expects a value of type integer (string supplied)";
  assert.is(check('%-5ld %s\n', [str, s64]), expected);
});

// bpftrace -e 'BEGIN { @x = count(); @h = hist(1); printf("%d\n", (1,2)); exit(); }'
test("error: %d given a tuple", () => {
  const expected = "printf: %d specifier expects a value of type integer (tuple supplied)";
  assert.is(check('%d\n', [tup(s64, s64)]), expected);
});

// bpftrace -e 'BEGIN { @x = count(); @h = hist(1); printf("%c\n", "x"); exit(); }'
test("error: %c given a string", () => {
  const expected = "printf: %c specifier expects a value of type integer (string supplied)";
  assert.is(check('%c\n', [str]), expected);
});

// bpftrace -e 'BEGIN { @x = count(); @h = hist(1); printf("%p\n", comm); exit(); }'
test("error: %p given a string", () => {
  const expected = "printf: %p specifier expects a value of type integer (string supplied)";
  assert.is(check('%p\n', [stringType(16)]), expected);
});

// bpftrace -e 'BEGIN { @x = count(); @h = hist(1); printf("%x\n", @x); exit(); }'
test("error: %x given a count", () => {
  const expected = "printf: %x specifier expects a value of type integer (count supplied)";
  assert.is(check('%x\n', [{ kind: 'agg', agg: 'count', signed: false }]), expected);
});

// bpftrace -e 'BEGIN { @x = count(); @h = hist(1); printf("%s\n", @h); exit(); }'
test("error: %s given a hist", () => {
  const expected = "printf: %s specifier expects a value of type string (hist supplied)";
  assert.is(check('%s\n', [{ kind: 'agg', agg: 'hist', signed: true }]), expected);
});

// bpftrace -e 'BEGIN { @x = count(); @h = hist(1); printf("%r\n", 5); exit(); }'
test("error: %r needs a buffer", () => {
  const expected = "printf: %r specifier expects a value of type buffer (integer supplied)";
  assert.is(check('%r\n', [s64]), expected);
});

test('check: the offending conversion is located', () => {
  const e = checkPrintf('%d and %s\n', [s64, s64]);
  assert.ok(e);
  assert.is(e!.conversion, 1);
  assert.is('%d and %s\n'.slice(e!.start, e!.end), '%s');
  const few = checkPrintf('%d %-5lu\n', [s64]);
  assert.is(few!.conversion, 1);
  assert.is('%d %-5lu\n'.slice(few!.start, few!.end), '%-5lu');
  assert.is(checkPrintf('%d %s\n', [s64, str]), null);
});

test('parse: %% is not a conversion, flags and lengths are', () => {
  const p = parseFormat('%%d %-08.3lx %c%%');
  assert.equal(p.conversions.map((c) => c.name), ['%lx', '%c']);
  assert.is(p.tail, '%%');
});

// Extensions over 0.17 (which prints these as plain text): expected strings are glibc printf's.
test('extension: + space # flags and %i follow C', () => {
  assert.is(formatPrintf('[%+d][% d][%#x][%#o][%#X][%i][%+5d][%-+5d]', [5n, 5n, 255n, 8n, 0n, -3n, 7n, 7n]), '[+5][ 5][0xff][010][0][-3][   +7][+7   ]');
  assert.is(formatPrintf('[%#.0o][%#08x][%+.3d]', [0n, 255n, -4n]), '[0][0x0000ff][-004]');
});

test('compilePrintf reuses one parse', () => {
  const f = compilePrintf('%s=%d\n');
  assert.is(f(['a', 1n]) + f(['b', 2n]), 'a=1\nb=2\n');
});

test.run();
