// Loads chevrotain on demand. The package's "exports" entry points at its unbundled ESM tree, which
// pulls in ~700 lodash-es modules and costs ~200 ms at startup; the single-file bundle it ships
// beside it holds the same API and loads in ~15 ms. Node 20 can require() an ES module, and an
// absolute path is not subject to the "exports" restriction.

import * as path from 'path';

export type Chevrotain = typeof import('chevrotain');

let loaded: Chevrotain | undefined;

export function chevrotain(): Chevrotain {
  if (loaded) return loaded;
  let mod: Chevrotain;
  try {
    const entry = require.resolve('chevrotain'); // .../chevrotain/lib/src/api.js
    const bundle = path.join(path.dirname(entry), '..', 'chevrotain.min.mjs');
    mod = require(bundle) as Chevrotain;
    if (typeof mod.EmbeddedActionsParser !== 'function') throw new Error('unexpected bundle shape');
  } catch {
    // A different chevrotain layout: fall back to the slow but supported entry point.
    mod = require('chevrotain') as Chevrotain;
  }
  loaded = mod;
  return mod;
}
