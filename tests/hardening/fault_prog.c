/* fault_prog.c - a hostile program for the CLI fault tests: `fault_prog MODE`
 * misbehaves as MODE says (fork bomb, memory runaway, full /tmp, ...). */
#define _GNU_SOURCE
#include <stdio.h>

#include "fault_common.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: fault_prog MODE\n");
        return 2;
    }
    return fault_run(argv[1]);
}
