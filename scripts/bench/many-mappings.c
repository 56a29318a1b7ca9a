/* many-mappings: map N separate anonymous regions with alternating protections
 * so the kernel cannot merge neighbours, touch some pages, print "ready PID",
 * then sleep until killed (or until stdin closes).
 *
 *   many-mappings [N]     default 10000
 *
 * Used by scripts/bench-smaps.sh to give /proc/PID/smaps 10k entries.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 10000;
    long page = sysconf(_SC_PAGESIZE);
    /* One reservation, then alternate protections page-pair by page-pair:
     * neighbouring VMAs with different protections never merge. */
    size_t len = (size_t)n * 2 * page;
    char *base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) { perror("mmap"); return 1; }
    for (long i = 0; i < n; i++) {
        char *p = base + (size_t)i * 2 * page;
        int prot = (i % 2) ? PROT_READ : (PROT_READ | PROT_WRITE);
        if (mprotect(p, 2 * page, prot) != 0) { perror("mprotect"); return 1; }
        if (!(i % 2)) ((volatile char *)p)[0] = 1; /* a real write: volatile */
    }
    printf("ready %d\n", getpid());
    fflush(stdout);
    char c;
    while (read(0, &c, 1) > 0) {}
    return 0;
}
