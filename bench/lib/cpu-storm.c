// The overhead suite's workload: N getppid() calls, reporting the mean cost per call both as wall
// time and as this process's CPU time. A BPF program attached to the syscall runs inside it and is
// charged to the caller's CPU time, while time the process spends preempted (another job on a
// shared machine) is in the wall time only: CPU time is the figure that load moves least.
// usage: bpfstorm-cpu N
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double ns(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  double w0 = ns(CLOCK_MONOTONIC), c0 = ns(CLOCK_PROCESS_CPUTIME_ID);
  for (long i = 0; i < n; i++) syscall(SYS_getppid);
  double w1 = ns(CLOCK_MONOTONIC), c1 = ns(CLOCK_PROCESS_CPUTIME_ID);
  printf("%.1f ns/syscall wall %.1f ns/syscall cpu over %ld syscalls\n", (w1 - w0) / n, (c1 - c0) / n, n);
  return 0;
}
