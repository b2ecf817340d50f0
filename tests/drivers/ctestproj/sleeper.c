/* sleeper.c - `sleeper TAG SECONDS FILES`: leaves FILES files in /dev/shm, then
 * sleeps SECONDS and passes; what the CTest limits and leak summary act on. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: sleeper TAG SECONDS FILES\n");
        return 2;
    }
    for (int i = 0; i < atoi(argv[3]); i++) {
        char path[64];
        snprintf(path, sizeof(path), "/dev/shm/ctestproj-%s-%d", argv[1], i);
        FILE *f = fopen(path, "w");
        if (!f || fclose(f) != 0) {
            perror(path);
            return 1;
        }
    }
    sleep((unsigned)atoi(argv[2]));
    return 0;
}
