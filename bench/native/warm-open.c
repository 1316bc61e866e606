/*
 * warm-open DIR COUNT ROUNDS: opens, reads 4 KiB of and closes DIR/f0000 .. DIR/f(COUNT-1),
 * ROUNDS times after one warm-up round (which caches names and attributes), and prints the
 * median microseconds per file. A C loop, so the figure is the filesystem's, not a runtime's.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: warm-open DIR COUNT ROUNDS\n");
        return 2;
    }
    int count = atoi(argv[2]), rounds = atoi(argv[3]);
    char **paths = malloc(sizeof(char *) * count);
    for (int i = 0; i < count; i++) {
        paths[i] = malloc(4096);
        snprintf(paths[i], 4096, "%s/f%04d", argv[1], i);
    }
    double *per_file = malloc(sizeof(double) * rounds);
    char buffer[4096];
    for (int round = -1; round < rounds; round++) {
        double start = now_us();
        for (int i = 0; i < count; i++) {
            int fd = open(paths[i], O_RDONLY);
            if (fd < 0 || read(fd, buffer, sizeof buffer) != sizeof buffer) {
                perror(paths[i]);
                return 1;
            }
            close(fd);
        }
        if (round >= 0) {
            per_file[round] = (now_us() - start) / count;
        }
    }
    qsort(per_file, rounds, sizeof(double), compare);
    printf("%.2f\n", rounds % 2 ? per_file[rounds / 2] : (per_file[rounds / 2 - 1] + per_file[rounds / 2]) / 2);
    return 0;
}
