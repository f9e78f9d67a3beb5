// The runtime's answer to src's HostLookup: what value formats ask of the live system while a
// session decodes values (stack maps of its loaded object, symbols, /etc/passwd, cgroup mounts,
// the boot clock).

import type { HostLookup } from '../../src/functions';
import type { BpfMap } from '../libbpf';
import { resolveCgroupPath } from './cgroup-path';
import { resolveUsername, strerrorText } from './resolve-ids';
import { ksymText, stackFrames, usymText } from './stacks';
import { wallClockAtBoot } from './timestamp';

/** `findMap`: the session's loaded object's maps (undefined before load and after close). */
export function createHost(findMap: (name: string) => BpfMap | undefined = () => undefined, strTruncTrailer?: string): HostLookup {
  return {
    ...(strTruncTrailer ? { strTruncTrailer } : {}),
    stackFrames: (depth, id) => stackFrames(findMap, depth, id),
    kernelSymbol: (addr, withOffset) => ksymText(addr, withOffset),
    userSymbol: (addr, pid, withOffset, withObject) => usymText(addr, pid, withOffset, withObject),
    username: resolveUsername,
    strerror: strerrorText,
    cgroupPath: resolveCgroupPath,
    wallClockAtBoot,
  };
}
