// A module's own example: a tiny program that shows it at work, kept beside its registration so a
// new function, aggregation, value format or probe type comes with its test in the same file.
// test/registry-examples.test.ts runs every example in the real kernel; the unit lane
// (test/unit/registry-examples.test.ts) checks every registered module carries one.

export interface Example {
  /** The program, as given to `bpfscript -e`. Keep it tiny and deterministic; it must end by itself. */
  script: string;
  /** Its whole stdout, or a pattern the whole stdout matches where it depends on the host. */
  output: string | RegExp;
  /** More command-line arguments before `-e`: `-f json`, `--compat 0.26`, `-c CMD` … */
  args?: readonly string[];
  /** bpftrace 0.17 (the installed oracle) prints the same bytes: the suite runs it too and compares. */
  sameAs017?: boolean;
  /**
   * Why the example cannot run on the test host (kprobes compiled out, no hardware counters): it is
   * then only compiled and loaded (`-d verifier`), which still proves the verifier takes it.
   */
  loadOnly?: string;
}
