// ANSI colour for the teaching view: on when stdout is a terminal, off when piped, so saved output
// and test expectations are plain text.

export interface Palette {
  node(s: string): string;
  type(s: string): string;
  dim(s: string): string;
  source(s: string): string;
  heading(s: string): string;
  number(s: string): string;
}

const wrap = (code: string) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;

export const colours: Palette = {
  node: wrap('1;34'),
  type: wrap('32'),
  dim: wrap('2'),
  source: wrap('33'),
  heading: wrap('1;4'),
  number: wrap('36'),
};

const id = (s: string) => s;
export const plain: Palette = { node: id, type: id, dim: id, source: id, heading: id, number: id };

export function palette(colour: boolean): Palette {
  return colour ? colours : plain;
}
