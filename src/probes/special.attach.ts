// The attach record of BEGIN and END: they are run, not attached, so it holds nothing.

export type SpecialAttach = Record<string, never>;
