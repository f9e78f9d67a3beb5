// JSON string literals of byte strings as bpftrace 0.17 writes them (-f json): `"` `\` and \n \r \t
// escaped; every other byte below 0x20 and every byte from 0x80 up \u escaped as a sign-extended C
// char would print ("\u0001", "\uffffffc3").

/** A JSON string literal of a byte string (one char per byte). */
export function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else if (c >= 0x80) out += `\\uffffff${(c & 0xff).toString(16)}`;
    else out += s[i];
  }
  return out + '"';
}
