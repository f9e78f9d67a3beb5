// A debug-info file entry that carries the script's text. LLVM's BPF backend copies each line's
// text into .BTF.ext line info from the entry's embedded source (or, without it, from the file on
// disk, which for `-e`, stdin or a relative path run elsewhere would not be the script). With the
// text there, the verifier log and `bpftool prog dump xlated … linum` show the script's lines.
// The C API can't attach source to a DIFile, so the entry is parsed from a line of IR; metadata
// is uniqued per context, so the node is usable from the real module of the same context.

import { LLVMError, type Meta } from './handles';
import { lib, takeMessage } from './lib';

const NAMED = 'bpfscript.source.file';

/** Bytes outside printable ASCII, and `"` and `\`, as LLVM IR's \XX escapes. */
function irString(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    out += byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c ? String.fromCharCode(byte) : `\\${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `"${out}"`;
}

export class SourceFile {
  readonly file: Meta;
  private readonly holder: bigint;
  constructor(ctxHandle: bigint, fileName: string, dir: string, source: string) {
    const l = lib();
    // The version flag keeps the IR reader from stripping the debug info as outdated.
    const ir = [
      `!${NAMED} = !{!0}`,
      `!llvm.module.flags = !{!1}`,
      `!0 = !DIFile(filename: ${irString(fileName)}, directory: ${irString(dir)}, source: ${irString(source)})`,
      `!1 = !{i32 2, !"Debug Info Version", i32 3}`,
      '',
    ].join('\n');
    const buf = l.LLVMCreateMemoryBufferWithMemoryRangeCopy(ir, Buffer.byteLength(ir), 'source-file');
    const mod: [bigint | null] = [null];
    const msg: [bigint | null] = [null];
    // The parser takes the buffer whatever the outcome.
    if (l.LLVMParseIRInContext(ctxHandle, buf, mod, msg)) throw new LLVMError('verify', takeMessage(msg[0]));
    this.holder = mod[0]!;
    const vals: [bigint | null] = [null];
    l.LLVMGetNamedMetadataOperands(this.holder, NAMED, vals);
    this.file = l.LLVMValueAsMetadata(vals[0]) as Meta;
  }
  dispose(): void {
    lib().LLVMDisposeModule(this.holder);
  }
}
