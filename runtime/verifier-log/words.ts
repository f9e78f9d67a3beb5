// Register values as the verifier prints them, in plain words.

export function describeValue(v: string | undefined): string {
  if (v === undefined) return 'never written on this path';
  let m: RegExpExecArray | null;
  // A stack slot's bytes: m written, 0 zero, ? unknown, with the tracked number after them.
  if (/^[m0?]{2,}/.test(v)) return 'bytes on the stack, written but not tracked as a value';
  if (/^-?\d+$/.test(v) || /^0x[0-9a-f]+$/.test(v)) return `the number ${v}`;
  if (/^scalar\(\)$/.test(v) || v === 'scalar') return 'a number the verifier knows nothing about (any 64-bit value)';
  if ((m = /^scalar\((.*)\)$/.exec(v))) {
    const b = bounds(m[1]);
    return b ? `a number only known to lie in ${b}` : 'a number the verifier knows nothing about (any 64-bit value)';
  }
  if ((m = /^(\w+)_or_null\(/.exec(v))) return `${kindOf(m[1])}, or NULL`;
  if ((m = /^fp(-?\d+)$/.exec(v))) return m[1] === '0' ? 'the stack frame pointer' : `a pointer into the stack, ${-Number(m[1])} bytes below the frame`;
  if ((m = /^(\w+)\((.*)\)$/.exec(v))) {
    const off = /(?:^|,)off=(-?\d+)/.exec(m[2]);
    return kindOf(m[1]) + (off ? `, moved ${off[1]} bytes` : '');
  }
  return v;
}

function kindOf(t: string): string {
  switch (t) {
    case 'map_value': return "a pointer into a map's value";
    case 'map_ptr': return 'a map';
    case 'mem': return 'a pointer to memory a helper returned';
    case 'ctx': return "the program's context pointer";
    case 'ringbuf_mem': return 'a pointer to reserved ring-buffer space';
    case 'ptr_': case 'ptr': return 'a pointer to a kernel object';
    default: return `a ${t.replace(/_/g, ' ')} pointer`;
  }
}

function bounds(s: string): string | undefined {
  const f = new Map(s.split(',').map((kv) => kv.split('=') as [string, string]));
  const lo = f.get('smin') ?? f.get('smin32') ?? f.get('umin') ?? f.get('umin32');
  const hi = f.get('smax') ?? f.get('smax32') ?? f.get('umax') ?? f.get('umax32');
  if (lo !== undefined || hi !== undefined) return `[${lo ?? '-2^63'}, ${hi ?? '2^64-1'}]`;
  return undefined;
}
