// -f pprof: the stack-keyed maps as one gzipped pprof profile (profile.proto), the format of
// `go tool pprof`, Pyroscope, Parca and speedscope. Encoded by the `pprof-format` package. Each
// stack-keyed map is one sample type named after the map (unit: its aggregation), so a viewer switches
// between maps with its sample selector; a chain's frames are those of the folded format
// (folded.ts), leading key parts included, leaf first as pprof orders locations.

import { gzipSync } from 'node:zlib';
import { BpfscriptError } from '../../common/diagnostics';
import type { MapData } from '../../src/functions';
import { foldMap, mergeFolded } from './folded';

/** The part of pprof-format's API used here (required when a profile is written). */
interface PprofFormat {
  StringTable: new () => { dedup(s: string): number };
  Profile: new (data: object) => { encode(): Uint8Array };
}

function pprofFormat(): PprofFormat {
  try {
    return require('pprof-format') as PprofFormat;
  } catch {
    throw new BpfscriptError({ severity: 'ERROR', message: '-f pprof needs the pprof-format package, which is not installed', hint: 'run npm install in the bpfscript directory' });
  }
}

/** Refused before tracing starts, not after it: is the encoder there? */
export function checkPprofFormat(): void {
  pprofFormat();
}

export interface PprofResult {
  /** gzipped profile.proto bytes. */
  bytes: Uint8Array;
  /** The maps left out: not stack-keyed, or values that are not numbers. */
  skipped: MapData[];
}

export function pprofProfile(maps: readonly MapData[], timeNanos = BigInt(Date.now()) * 1_000_000n): PprofResult {
  const { StringTable, Profile } = pprofFormat();
  const strings = new StringTable();
  const skipped: MapData[] = [];
  const sampleType: { type: number; unit: number }[] = [];
  const foldedMaps: ReturnType<typeof mergeFolded>[] = [];
  for (const m of maps) {
    const stacks = foldMap(m);
    if (!stacks) {
      skipped.push(m);
      continue;
    }
    // The unit says what the weights are: the aggregation's name (count, sum …), else "value".
    sampleType.push({ type: strings.dedup(m.name), unit: strings.dedup(m.valueType.kind === 'agg' ? m.valueType.agg : 'value') });
    foldedMaps.push(mergeFolded(stacks));
  }
  // One function and one location per frame name: pprof merges by location, as folded lines do.
  const functions: object[] = [];
  const locations: object[] = [];
  const locationOf = new Map<string, number>();
  const location = (name: string): number => {
    let id = locationOf.get(name);
    if (id === undefined) {
      id = locationOf.size + 1;
      locationOf.set(name, id);
      const fname = strings.dedup(name);
      functions.push({ id, name: fname, systemName: fname });
      locations.push({ id, line: [{ functionId: id }] });
    }
    return id;
  };
  const samples: object[] = [];
  foldedMaps.forEach((stacks, i) => {
    for (const s of stacks) {
      const value = sampleType.map((_, j) => (j === i ? s.weight : 0n));
      samples.push({ locationId: s.frames.map(location).reverse(), value });
    }
  });
  const profile = new Profile({ sampleType, sample: samples, location: locations, function: functions, stringTable: strings, timeNanos });
  return { bytes: gzipSync(profile.encode()), skipped };
}
