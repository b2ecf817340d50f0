/* self_cage.c - testcage_enter(): cage the calling process itself, the way
 * the Perl Sys::Linux::Namespace setup() did, for tests that call it first
 * thing in main(). */
#include "testcage_internal.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* What the init and the body would do for a cage, done by the caller: the
 * id maps, the time namespace's offsets (for its children), the mounts,
 * the hostname, lo, and its own cgroup namespace's view. */
static int make_world(const struct cage_plan *p)
{
    char what[300];
    int rc = 0;
    if (p->ns & TESTCAGE_NS_USER)
        rc = tc_userns_map(p->uid, p->gid, what, sizeof(what));
    if (rc == 0 && (p->ns & TESTCAGE_NS_TIME))
        rc = tc_timens_make(p, what, sizeof(what));
    if (rc == 0)
        rc = tc_mounts_setup(p, what, sizeof(what));
    if (rc == 0 && (p->ns & TESTCAGE_NS_UTS) && sethostname(p->hostname, strlen(p->hostname)) < 0)
        return -1;
    if (rc == 0 && (p->ns & TESTCAGE_NS_NET))
        rc = tc_net_lo_up();
    if (rc < 0) {
        errno = -rc;
        return -1;
    }
    if ((p->ns & TESTCAGE_NS_CGROUP) && tc_cgroup_enter(p->cgroup_view, what, sizeof(what)) < 0)
        return -1;
    return 0;
}

int testcage_enter(const testcage_opts *o)
{
    struct cage_plan p;
    testcage_opts local = *o;
    local.fresh_proc = false; /* our /proc must stay the one of our PID namespace */
    tc_plan_make(&p, &local);
    p.ns |= TESTCAGE_NS_MOUNT;
    if ((p.ns & TESTCAGE_NS_CGROUP) && !p.cgroup_view)
        p.cgroup_view = tc_cgroup_view_plan();
    /* The time namespace is made after the user namespace's maps (its
     * offsets need CAP_SYS_TIME there), the cgroup one after the mounts. */
    if (unshare((int)tc_clone_flags(p.ns)) < 0)
        return -1;
    return make_world(&p);
}
