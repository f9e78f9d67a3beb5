// The C library's words for the file errors users meet (what bpftrace prints through strerror),
// for a Node error whose own message adds the syscall and path ("ENOENT: no such file …, open 'x'").

const WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
};

export function errnoWords(e: NodeJS.ErrnoException): string {
  return (e.code && WORDS[e.code]) ?? e.message;
}
