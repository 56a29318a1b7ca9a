/* read-floor: the cost of just reading a file, the floor the parser is measured
 * against. Reads FILE with a read(2) loop into a reused 1 MiB buffer (what
 * `cat FILE > /dev/null` does), RUNS times, and prints the median in ms.
 *
 *   read-floor FILE RUNS
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: read-floor FILE RUNS\n"); return 64; }
    int runs = atoi(argv[2]);
    if (runs < 1 || runs > 1000) runs = 1;
    static char buf[1 << 20];
    double *t = calloc(runs, sizeof *t);
    long total = 0;
    for (int r = 0; r < runs; r++) {
        double t0 = now_ms();
        int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
        if (fd < 0) { perror(argv[1]); return 3; }
        ssize_t n;
        total = 0;
        while ((n = read(fd, buf, sizeof buf)) > 0) total += n;
        close(fd);
        t[r] = now_ms() - t0;
    }
    qsort(t, runs, sizeof *t, cmp);
    printf("bytes %ld\nread_floor_ms %.3f\n", total, t[runs / 2]);
    return 0;
}
