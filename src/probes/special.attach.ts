// The attach record of the probes the runtime runs itself (BEGIN, END, self, test, bench): they are
// run, not attached. A test or bench probe carries its name, the label of its line in the report.

export interface SpecialAttach {
  label?: string;
}
