/* net.c - a cage's network namespace: only loopback, brought up. Raw
 * system calls only (run by the init). */
#include "testcage_internal.h"
#include "rawsys.h"

#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

int tc_net_lo_up(void)
{
    long s = tc_sys(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return (int)s;
    struct ifreq ifr = {0};
    memcpy(ifr.ifr_name, "lo", 3);
    long rc = tc_sys(SYS_ioctl, s, SIOCGIFFLAGS, &ifr);
    if (rc == 0) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        rc = tc_sys(SYS_ioctl, s, SIOCSIFFLAGS, &ifr);
    }
    tc_sys(SYS_close, s);
    return (int)rc;
}
