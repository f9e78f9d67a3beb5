// bpftrace's attach-point globs: `*` matches any run of characters, `?` one character.

export const hasWildcard = (s: string): boolean => /[*?]/.test(s);

export function wildcardRegex(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}
