/* coverage.c - the test binary's gcov runtime, found at run time: a case
 * body starts from a copy of the runner's counters and must count only its
 * own run, as a process of its own would. (Clang's profile runtime keeps
 * its reset function hidden: see the README on LLVM_PROFILE_FILE.) */
#include "testcage_internal.h"

#include <dlfcn.h>
#include <stdbool.h>

/* libgcov is linked statically into the test binary; its reset is visible
 * here when the link exported it (TestCage's targets and pkg-config files
 * add -u and --export-dynamic-symbol for it). */
static void (*gcov_reset)(void);

void tc_coverage_lookup(void)
{
    static bool looked;
    if (looked)
        return;
    looked = true;
    *(void **)&gcov_reset = dlsym(RTLD_DEFAULT, "__gcov_reset");
}

void tc_coverage_reset(void)
{
    if (gcov_reset)
        gcov_reset();
}
