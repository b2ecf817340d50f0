/* self_cage.c - testcage_enter(): cage the calling process itself, the way
 * the Perl Sys::Linux::Namespace setup() did, for tests that call it first
 * thing in main(). */
#include "testcage_internal.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int testcage_enter(const testcage_opts *o)
{
    struct cage_plan p;
    testcage_opts local = *o;
    local.fresh_proc = false; /* our /proc must stay the one of our PID namespace */
    tc_plan_make(&p, &local);
    p.ns |= TESTCAGE_NS_MOUNT;
    if (unshare((int)tc_clone_flags(p.ns)) < 0)
        return -1;
    char what[256];
    int rc = 0;
    if (p.ns & TESTCAGE_NS_USER)
        rc = tc_userns_map(p.uid, p.gid, what, sizeof(what));
    if (rc == 0)
        rc = tc_mounts_setup(&p, what, sizeof(what));
    if (rc == 0 && (p.ns & TESTCAGE_NS_UTS) && sethostname(p.hostname, strlen(p.hostname)) < 0)
        return -1;
    if (rc == 0 && (p.ns & TESTCAGE_NS_NET))
        rc = tc_net_lo_up();
    if (rc < 0)
        errno = -rc;
    return rc < 0 ? -1 : 0;
}
