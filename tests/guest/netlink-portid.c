/* SPDX-License-Identifier: MIT */
/*
 * A netlink socket's port id when the kernel picks it (bind with nl_pid
 * 0, or a sendto/sendmsg/connect on an unbound socket) is the caller's
 * process id first, and programs match replies' nlmsg_pid against
 * getpid(). kbox makes those calls itself (the address must be read
 * once), so its thread's pid was picked instead.
 */
#define _GNU_SOURCE
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static unsigned port_of(int s)
{
    struct sockaddr_nl a;
    socklen_t l = sizeof(a);

    memset(&a, 0, sizeof(a));
    return getsockname(s, (struct sockaddr *)&a, &l) ? 0 : a.nl_pid;
}

/* In a child (its pid is free as a port id): @how binds the socket. */
static int portid_is_pid(const char *how)
{
    pid_t pid = fork();
    int st;

    if (pid == 0) {
        struct {
            struct nlmsghdr h;
            struct rtgenmsg g;
        } req = { { sizeof(req), RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1,
                    0 },
                  { AF_UNSPEC } };
        struct sockaddr_nl k = { .nl_family = AF_NETLINK };
        struct iovec v = { &req, sizeof(req) };
        struct msghdr m = { &k, sizeof(k), &v, 1, NULL, 0, 0 };
        int s = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE), rc;

        if (!strcmp(how, "bind"))
            rc = bind(s, (struct sockaddr *)&k, sizeof(k));
        else if (!strcmp(how, "connect"))
            rc = connect(s, (struct sockaddr *)&k, sizeof(k));
        else if (!strcmp(how, "sendto"))
            rc = (int)sendto(s, &req, sizeof(req), 0, (struct sockaddr *)&k,
                             sizeof(k));
        else
            rc = (int)sendmsg(s, &m, 0);
        _exit(rc < 0 ? 2 : port_of(s) == (unsigned)getpid() ? 0 : 1);
    }
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

int main(void)
{
    static const char *hows[] = { "bind", "connect", "sendto", "sendmsg" };

    for (unsigned i = 0; i < sizeof(hows) / sizeof(hows[0]); i++) {
        int r = portid_is_pid(hows[i]);

        check(r == 0, "port id picked at %s is the caller's pid (%d)", hows[i],
              r);
    }
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
