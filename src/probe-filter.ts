// --probe-filter REGEX: which probes a run keeps. The compile applies it to a script's probes
// (semantic/expand-probes.ts); an artifact's run, whose programs were compiled already, to the
// probes it attaches and runs. A leaf, so the artifact's run path loads nothing of the compiler.

import { BpfscriptError } from '../common/diagnostics';

/** Whether a probe (by full name, and when it runs once) is kept; BEGIN, END and signal probes always are. */
export function probeFilter(filter: string): (name: string, runOnce: string | undefined) => boolean {
  let re: RegExp;
  try {
    re = new RegExp(filter);
  } catch (e) {
    throw new BpfscriptError({ severity: 'ERROR', message: `Invalid --probe-filter regex '${filter}': ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`, hint: 'the filter is a regular expression matched anywhere in a probe\'s full name, e.g. --probe-filter \'^kprobe:vfs_\'' });
  }
  return (name, runOnce) => runOnce === 'begin' || runOnce === 'end' || runOnce === 'signal' || re.test(name);
}

/** `plain`: bpftrace 0.26 prints it without a source position (the peer tests match the line). */
export function noProbesLeft(filter: string, plain = false): BpfscriptError {
  return new BpfscriptError({ severity: 'ERROR', message: 'No probes to attach', hint: `no probe's name matches --probe-filter '${filter}'`, plain });
}
