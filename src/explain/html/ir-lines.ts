// The script line each line of LLVM IR came from, read from the IR's own debug metadata: an
// instruction ends in `!dbg !N`, and `!N = !DILocation(line: L, …)` (or, on a function's
// `define`, a DISubprogram) says where it was made. The page links IR to source through it.

export interface IrLine {
  text: string;
  /** The script line, when the IR line carries a location. */
  line?: number;
}

const DBG = /!dbg !(\d+)\s*(?:\{\s*)?$/;
const LOCATION = /^!(\d+) = (?:distinct )?!(?:DILocation|DISubprogram)\(.*?\bline: (\d+)/;

export function irLines(ir: string): IrLine[] {
  const text = ir.replace(/\n$/, '').split('\n');
  const where = new Map<string, number>();
  for (const l of text) {
    const m = LOCATION.exec(l);
    if (m) where.set(m[1], Number(m[2]));
  }
  return text.map((t) => {
    const m = DBG.exec(t);
    const line = m ? where.get(m[1]) : undefined;
    return line !== undefined && line > 0 ? { text: t, line } : { text: t };
  });
}
