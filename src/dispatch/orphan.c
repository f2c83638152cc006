/* SPDX-License-Identifier: MIT */
/*
 * Orphaned process groups. When a process group becomes orphaned (POSIX:
 * no member has a parent in the same session but another group) and a
 * member is stopped, Linux sends each member SIGHUP, then SIGCONT
 * (kernel/exit.c: kill_orphaned_pgrp): `set -m; cmd & kill -STOP $!;
 * exit` leaves no stopped job behind. Under kbox the host never does: kbox
 * is the parent of the main process and, as their subreaper, of every
 * orphan, and it sits in the guest's session in another group, so every
 * guest group keeps a parent "in the session, outside the group". The
 * job stayed stopped, and kbox, serving until the last guest process is
 * gone, waited for it for ever.
 *
 * So kbox makes the check itself when guest processes exit, as Linux
 * would see it: an orphan kbox adopted has init (another session) for
 * its parent, the main process has the program that started kbox (as
 * chroot's caller is the parent of the command chroot runs), and kbox's
 * own group is held by kbox's caller while the main process lives. A
 * group that was held before (or is new since the last check: it was
 * made and held by a process that exited meanwhile) and is orphaned now,
 * with a stopped member, gets SIGHUP and SIGCONT - if an exit ended one
 * of the holds seen at the last check (its member or its parent is gone),
 * or, for a new group, a member's parent exited (kbox adopted it since).
 * Linux checks at exits only: a group that a setsid() or setpgid()
 * orphaned gets nothing, then or at any later exit.
 */

#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kbox/dispatch.h"

struct member {
    pid_t pid, ppid, pgrp, sid;
    char state;
};

/* The groups seen at the last check: orphaned or not (the serve loop's
 * thread only). */
struct group_seen {
    pid_t pgrp;
    bool orphaned;
};
static struct group_seen *seen;
static int nseen;

/* The members and parents that held a group at the last check. */
struct hold {
    pid_t pgrp, member, parent;
};
static struct hold *holds;
static int nholds;
/* The processes kbox had adopted at the last check. */
static pid_t *adopted;
static int nadopted;

/* State, parent, group and session of @pid; false if it is gone. */
static bool read_member(pid_t pid, struct member *m)
{
    char path[64], buf[1024], *p;
    int ppid, pgrp, sid, fd;
    ssize_t n;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return false;
    buf[n] = '\0';
    p = strrchr(buf, ')'); /* the name may hold anything */
    if (!p || sscanf(p + 1, " %c %d %d %d", &m->state, &ppid, &pgrp, &sid) != 4)
        return false;
    m->pid = pid;
    m->ppid = ppid;
    m->pgrp = pgrp;
    m->sid = sid;
    return true;
}

/* A process that has exited is no member any more (will_become_orphaned
 * skips exiting tasks). */
static bool alive(const struct member *m)
{
    return m->state != 'Z' && m->state != 'X';
}

/*
 * Does @m's parent, as Linux would see it, hold @m's group: is it in
 * @m's session but in another group? Its pid in *by.
 */
static bool held_by_parent(const struct member *m, const struct member *v,
                           int n, pid_t *by)
{
    struct member par;
    bool found = false;

    *by = m->ppid;
    if (m->pid == kbox_sup.main_pid) {
        /* chroot's caller is its command's parent */
        pid_t caller = getppid();

        *by = caller;
        par.sid = getsid(caller);
        par.pgrp = getpgid(caller);
        return par.sid == m->sid && par.pgrp != m->pgrp;
    }
    if (m->ppid == getpid())
        return false; /* adopted: init's, in no guest session */
    for (int i = 0; i < n && !found; i++)
        if (v[i].pid == m->ppid) {
            par = v[i];
            found = true;
        }
    if (!found && !read_member(m->ppid, &par))
        return false;
    return alive(&par) && par.sid == m->sid && par.pgrp != m->pgrp;
}

/* Is @pid alive: in @v (the live members), or else on the host? */
static bool pid_alive(pid_t pid, const struct member *v, int n)
{
    struct member m;

    for (int i = 0; i < n; i++)
        if (v[i].pid == pid)
            return true;
    return read_member(pid, &m) && alive(&m);
}

/* Did an exit end a hold on @pgrp seen at the last check? */
static bool hold_exited(pid_t pgrp, const struct member *v, int n)
{
    for (int i = 0; i < nholds; i++)
        if (holds[i].pgrp == pgrp && (!pid_alive(holds[i].member, v, n) ||
                                      !pid_alive(holds[i].parent, v, n)))
            return true;
    return false;
}

/* Did a member of group @pgrp (from @v[@i] on) lose its parent since the
 * last check? */
static bool newly_adopted(pid_t pgrp, const struct member *v, int i, int n)
{
    for (; i < n; i++) {
        bool was = false;

        if (v[i].pgrp != pgrp || v[i].ppid != getpid())
            continue;
        for (int j = 0; j < nadopted && !was; j++)
            was = adopted[j] == v[i].pid;
        if (!was)
            return true;
    }
    return false;
}

static int seen_as(pid_t pgrp)
{
    for (int i = 0; i < nseen; i++)
        if (seen[i].pgrp == pgrp)
            return seen[i].orphaned;
    return -1;
}

void kbox_orphan_check(bool main_alive)
{
    struct member *v;
    struct group_seen *now;
    struct hold *hnow;
    pid_t *pids, *anow;
    int n = kbox_proc_list_known(&pids), k = 0, nnow = 0, nh = 0, na = 0;
    pid_t own = getpgrp();
    bool own_held = main_alive && getsid(getppid()) == getsid(0);

    if (n < 0)
        return;
    v = malloc(((size_t)n + 1) * sizeof(*v));
    now = malloc(((size_t)n + 1) * sizeof(*now));
    hnow = malloc(((size_t)n + 1) * sizeof(*hnow));
    anow = malloc(((size_t)n + 1) * sizeof(*anow));
    if (!v || !now || !hnow || !anow) {
        free(v);
        free(now);
        free(hnow);
        free(anow);
        free(pids);
        return;
    }
    for (int i = 0; i < n; i++)
        if (read_member(pids[i], &v[k]) && alive(&v[k]))
            k++;
    free(pids);
    for (int i = 0; i < k; i++) {
        pid_t g = v[i].pgrp;
        bool dup = false, orphaned, stopped = false;
        int was;

        for (int j = 0; j < i && !dup; j++)
            dup = v[j].pgrp == g;
        if (dup)
            continue;
        /*
         * kbox's own group: the main process and kbox stand for chroot's
         * caller's job (or the script that ran it), which holds it while
         * the command runs. Once the command has exited its caller would
         * go on, and nothing waits for what it left behind but kbox.
         */
        orphaned = !(g == own && own_held);
        if (!orphaned) /* held while the main process lives */
            hnow[nh++] = (struct hold){ g, kbox_sup.main_pid, getppid() };
        for (int j = i; j < k; j++) {
            pid_t by;

            if (v[j].pgrp != g)
                continue;
            if (v[j].state == 'T')
                stopped = true;
            if (held_by_parent(&v[j], v, k, &by)) {
                orphaned = false;
                hnow[nh++] = (struct hold){ g, v[j].pid, by };
            }
        }
        was = seen_as(g);
        /* A session leader's group is orphaned from the start. */
        if (orphaned && stopped &&
            ((was == 0 && hold_exited(g, v, k)) ||
             (was < 0 && g != v[i].sid && newly_adopted(g, v, i, k)))) {
            if (kbox_sup.verbose)
                fprintf(stderr,
                        "kbox: process group %d orphaned with a stopped "
                        "member: SIGHUP, SIGCONT\n",
                        (int)g);
            for (int j = i; j < k; j++)
                if (v[j].pgrp == g)
                    kill(v[j].pid, SIGHUP);
            for (int j = i; j < k; j++)
                if (v[j].pgrp == g)
                    kill(v[j].pid, SIGCONT);
        }
        now[nnow++] = (struct group_seen){ g, orphaned };
    }
    for (int i = 0; i < k; i++)
        if (v[i].ppid == getpid())
            anow[na++] = v[i].pid;
    free(v);
    free(seen);
    seen = now;
    nseen = nnow;
    free(adopted);
    adopted = anow;
    nadopted = na;
    free(holds);
    holds = hnow;
    nholds = nh;
}

bool kbox_orphan_all_stopped(void)
{
    pid_t *pids;
    int n = kbox_proc_list(&pids), k = 0;
    bool all = true;

    if (n < 0)
        return false;
    for (int i = 0; i < n && all; i++) {
        struct member m;

        if (!read_member(pids[i], &m) || !alive(&m))
            continue;
        k++;
        all = m.state == 'T';
    }
    free(pids);
    return all && k > 0;
}
