/* caps.c - what the test body may keep of the caller's capabilities.
 * As root the body keeps being root, minus what would let it undo its cage. */
#include "testcage_internal.h"

#include <errno.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

/* Each of these lets a test unmount its private /tmp, enter a host
 * namespace, open host files by handle, or change the machine itself. */
static const cap_value_t cage_breakers[] = {
    CAP_SYS_ADMIN,       CAP_SYS_MODULE, CAP_SYS_RAWIO,    CAP_SYS_BOOT, CAP_SYS_PTRACE,
    CAP_DAC_READ_SEARCH, CAP_MAC_ADMIN,  CAP_MAC_OVERRIDE, CAP_SYS_TIME,
};
#define N_BREAKERS (sizeof(cage_breakers) / sizeof(cage_breakers[0]))

/* Asked once per cage; the answer is kept while the effective uid stays
 * what it was (a runner does not change its privileges between cages). */
bool tc_caps_privileged(void)
{
    static uid_t asked_as = (uid_t)-1;
    static bool privileged;
    if (asked_as == geteuid())
        return privileged;
    cap_t c = cap_get_proc();
    if (!c)
        return false;
    cap_flag_value_t v = CAP_CLEAR;
    cap_get_flag(c, CAP_SYS_ADMIN, CAP_EFFECTIVE, &v);
    cap_free(c);
    privileged = v == CAP_SET;
    asked_as = geteuid();
    return privileged;
}

static int drop_bounding(bool all)
{
    cap_value_t last = (cap_value_t)cap_max_bits();
    for (cap_value_t v = 0; v < last; v++) {
        bool breaker = false;
        for (size_t k = 0; k < N_BREAKERS; k++)
            breaker = breaker || cage_breakers[k] == v;
        if ((all || breaker) && cap_drop_bound(v) < 0 && errno != EINVAL)
            return -1;
    }
    return 0;
}

int tc_caps_drop(bool all)
{
    if (drop_bounding(all) < 0)
        return -1;
    cap_t c = all ? cap_init() : cap_get_proc();
    if (!c)
        return -1;
    int rc = 0;
    if (!all) {
        const cap_flag_t flags[] = {CAP_EFFECTIVE, CAP_PERMITTED, CAP_INHERITABLE};
        for (size_t k = 0; k < 3 && rc == 0; k++)
            rc = cap_set_flag(c, flags[k], (int)N_BREAKERS, cage_breakers, CAP_CLEAR);
    }
    if (rc == 0)
        rc = cap_set_proc(c);
    int saved = errno;
    cap_free(c);
    if (rc == 0 && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        return -1;
    errno = saved;
    return rc;
}

int tc_caps_keep_across_exec(void)
{
    if (geteuid() == 0)
        return 0; /* root keeps its capabilities across execve anyway */
    cap_t c = cap_get_proc();
    if (!c)
        return -1;
    cap_value_t last = (cap_value_t)cap_max_bits();
    int rc = 0;
    for (cap_value_t v = 0; v < last && rc == 0; v++) {
        cap_flag_value_t has = CAP_CLEAR;
        cap_get_flag(c, v, CAP_PERMITTED, &has);
        if (has == CAP_SET)
            rc = cap_set_flag(c, CAP_INHERITABLE, 1, &v, CAP_SET);
    }
    if (rc == 0)
        rc = cap_set_proc(c);
    for (cap_value_t v = 0; v < last && rc == 0; v++) {
        cap_flag_value_t has = CAP_CLEAR;
        cap_get_flag(c, v, CAP_INHERITABLE, &has);
        if (has == CAP_SET && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, v, 0, 0) < 0)
            rc = -1;
    }
    cap_free(c);
    return rc;
}
