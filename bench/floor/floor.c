// Loads one program of floor.bpf.o, attaches it, and waits for SIGINT or SIGTERM, as a tracer
// would: `floor OBJECT PROGRAM`. Exit status 0 after a signal, 1 on a load or attach failure.

#include <bpf/libbpf.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s OBJECT PROGRAM\n", argv[0]);
    return 1;
  }
  struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
  if (!obj) {
    fprintf(stderr, "floor: cannot open %s\n", argv[1]);
    return 1;
  }
  struct bpf_program *p, *want = NULL;
  bpf_object__for_each_program(p, obj) {
    int mine = strcmp(bpf_program__name(p), argv[2]) == 0;
    bpf_program__set_autoload(p, mine);
    if (mine) want = p;
  }
  if (!want) {
    fprintf(stderr, "floor: no program %s in %s\n", argv[2], argv[1]);
    return 1;
  }
  if (bpf_object__load(obj)) {
    fprintf(stderr, "floor: loading %s failed\n", argv[2]);
    return 1;
  }
  struct bpf_link *link = bpf_program__attach(want);
  if (!link) {
    fprintf(stderr, "floor: attaching %s failed\n", argv[2]);
    return 1;
  }
  struct sigaction sa = {0};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  while (!stop) pause();
  bpf_link__destroy(link);
  bpf_object__close(obj);
  return 0;
}
