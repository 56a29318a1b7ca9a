/* Benchmark subject for scripts/bench-pagemap.sh (not part of the package).
 *
 * Maps SIZE MiB of private anonymous memory (MADV_NOHUGEPAGE: small pages,
 * 262,144 for 1 GiB), writes every page, forks. In "copied" mode the child then
 * writes every page too (breaking COW everywhere); in "shared" mode it does not.
 * Prints "PARENT_PID CHILD_PID ADDRESS_HEX LENGTH" once the child is ready, then
 * waits for EOF on stdin, kills and reaps the child, and exits.
 * This program is single-threaded, so forking it is safe.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static void touch(volatile char *p, size_t len, size_t page, char byte) {
    /* volatile: the stores must happen, nobody reads them back. */
    for (size_t off = 0; off < len; off += page) p[off] = byte;
}

int main(int argc, char **argv) {
    if (argc != 3 || (strcmp(argv[2], "shared") && strcmp(argv[2], "copied"))) {
        fprintf(stderr, "usage: %s SIZE_MIB shared|copied\n", argv[0]);
        return 2;
    }
    size_t len = (size_t)strtoul(argv[1], NULL, 10) << 20;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED) { perror("mmap"); return 1; }
    if (madvise(buf, len, MADV_NOHUGEPAGE) != 0) { perror("madvise"); return 1; }
    touch(buf, len, page, 1);

    int ready[2];
    if (pipe(ready) != 0) { perror("pipe"); return 1; }
    pid_t child = fork();
    if (child < 0) { perror("fork"); return 1; }
    if (child == 0) {
        close(ready[0]);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() == 1) _exit(1);
        if (strcmp(argv[2], "copied") == 0) touch(buf, len, page, 2);
        (void)!write(ready[1], "r", 1);
        for (;;) pause();
    }
    close(ready[1]);
    char c;
    if (read(ready[0], &c, 1) != 1) { kill(child, SIGKILL); waitpid(child, NULL, 0); return 1; }
    printf("%d %d %lx %zu\n", (int)getpid(), (int)child, (unsigned long)buf, len);
    fflush(stdout);
    while (read(0, &c, 1) > 0) {}
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    return 0;
}
