// buf() values as bpftrace 0.17 prints them: printable ASCII kept and every other byte as \xNN
// (%r, print(), maps); %rx every byte as \xNN; %rh every byte as bare hex pairs joined by spaces.

/** `data` is a byte string (one char per byte). */
export function formatBuffer(data: string, mode: 'r' | 'rx' | 'rh' = 'r'): string {
  let out = '';
  for (let i = 0; i < data.length; i++) {
    const c = data.charCodeAt(i) & 0xff;
    if (mode === 'r' && c >= 32 && c <= 126) out += data[i];
    else if (mode === 'rh') out += (i ? ' ' : '') + c.toString(16).padStart(2, '0');
    else out += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return out;
}
