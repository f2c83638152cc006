/* SPDX-License-Identifier: MIT */
/*
 * Exec gates: the parent's memory back before a vfork parent runs.
 *
 * A child sharing its parent's memory (vfork, posix_spawn) execs with its
 * path string overwritten by kbox's alias (the host reads the path from
 * the guest's memory; exec.c), and its parent wakes the moment the
 * child's exec leaves that memory. kbox used to put the string back at
 * the parent's next supervised call, and until then the parent read
 * "d4/sh" where it had "/bin/sh": GNU make copies the path right after
 * posix_spawn and reported "make: d4/sh: No such file or directory" for
 * every recipe exiting 127.
 *
 * So such a child execs its program from a private copy that kbox holds
 * a write lease on (or the trampoline, exec.c, for a big program or a
 * script). The host's exec has read the path string when it opens that
 * copy, before it reads argv, and the open waits for the lease: kbox is
 * told (a realtime signal to the gate thread, with the fd), puts the
 * string back while the parent still waits for the child, and lets the
 * lease go; the gate is then closed. argv entries that pointed into the
 * path read its own bytes again by the time the host copies them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "journal.h"
#include "kbox/dispatch.h"

#define GATES 256

static struct {
    int fd; /* ours, holding the lease; -1: free slot */
    pid_t child;
} gates[GATES];
static int ngates;
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t gate_once = PTHREAD_ONCE_INIT;
static pthread_cond_t gate_ready = PTHREAD_COND_INITIALIZER;
static pid_t gate_tid; /* the gate thread; -1: none */

static int gate_sig(void)
{
    return SIGRTMIN + 4;
}

/* gate_lock held: let go and forget gate @i */
static void drop_locked(int i)
{
    fcntl(gates[i].fd, F_SETLEASE, F_UNLCK);
    close(gates[i].fd);
    gates[i] = gates[--ngates];
}

/* gate_lock held: is the lease on @fd being broken? (a break pending
 * reports the type it breaks to) */
static bool breaking(int fd)
{
    int t = fcntl(fd, F_GETLEASE);

    return t >= 0 && t != F_WRLCK;
}

static void *gate_main(void *arg)
{
    sigset_t s;

    (void)arg;
    sigemptyset(&s);
    sigaddset(&s, gate_sig());
    sigaddset(&s, SIGIO); /* sent instead when the signal queue is full */
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    pthread_mutex_lock(&gate_lock);
    gate_tid = (pid_t)syscall(SYS_gettid);
    pthread_cond_broadcast(&gate_ready);
    pthread_mutex_unlock(&gate_lock);
    for (;;) {
        siginfo_t si;
        int sig = sigwaitinfo(&s, &si);

        if (sig < 0)
            continue;
        pthread_mutex_lock(&gate_lock);
        for (int i = 0; i < ngates;) {
            if ((sig == SIGIO || gates[i].fd == si.si_fd) &&
                breaking(gates[i].fd)) {
                /* the parent's memory back, then the exec goes on */
                kbox_exec_restore_now(gates[i].child);
                drop_locked(i);
            } else {
                i++;
            }
        }
        pthread_mutex_unlock(&gate_lock);
    }
    return NULL;
}

static void start_gate_thread(void)
{
    pthread_t t;
    pthread_attr_t a;
    sigset_t all, old;
    bool ok;

    /* born with every signal blocked: the gate signal must never reach
     * it unblocked (its default action ends kbox) */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&a, 256 << 10);
    ok = pthread_create(&t, &a, gate_main, NULL) == 0;
    pthread_attr_destroy(&a);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_mutex_lock(&gate_lock);
    if (!ok)
        gate_tid = -1;
    while (!gate_tid)
        pthread_cond_wait(&gate_ready, &gate_lock);
    pthread_mutex_unlock(&gate_lock);
}

int kbox_gate_open(int copy, pid_t child)
{
    struct f_owner_ex o = { F_OWNER_TID, 0 };
    char path[64];
    int fd;

    pthread_once(&gate_once, start_gate_thread);
    if (gate_tid < 0)
        return -1;
    /*
     * A lease needs a file kbox opened read-only itself (a memfd's own
     * file does not count as an opener, so no write lease is granted on
     * it). The owner is set after the lease, which resets it.
     */
    snprintf(path, sizeof(path), "/proc/self/fd/%d", copy);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    o.pid = gate_tid;
    pthread_mutex_lock(&gate_lock);
    if (ngates == GATES || fcntl(fd, F_SETSIG, gate_sig()) ||
        fcntl(fd, F_SETLEASE, F_WRLCK) || fcntl(fd, F_SETOWN_EX, &o)) {
        pthread_mutex_unlock(&gate_lock);
        close(fd);
        return -1;
    }
    gates[ngates].fd = fd;
    gates[ngates].child = child;
    ngates++;
    pthread_mutex_unlock(&gate_lock);
    return fd;
}

void kbox_gate_close(int fd, pid_t child)
{
    pthread_mutex_lock(&gate_lock);
    for (int i = 0; i < ngates; i++) {
        if (gates[i].fd == fd && gates[i].child == child) {
            drop_locked(i);
            break;
        }
    }
    pthread_mutex_unlock(&gate_lock);
}

void kbox_gate_forget(pid_t child)
{
    pthread_mutex_lock(&gate_lock);
    for (int i = 0; i < ngates;) {
        if (gates[i].child == child)
            drop_locked(i);
        else
            i++;
    }
    pthread_mutex_unlock(&gate_lock);
}

/*
 * A program up to this size, run by a child sharing its parent's memory,
 * goes through a gate as a private copy of itself (copying it is cheaper
 * than the trampoline's exec: 200 x `cat /dev/null` under dash went from
 * 0.44 to 0.54 s with the trampoline); a bigger one through the
 * trampoline.
 */
#define GATE_COPY_MAX (512u << 10)

/*
 * Private copies kept for the next gated exec of the same content: a copy
 * may carry a write lease again once nothing else has it open (the
 * previous child's program exited: the host counts the running
 * executable as a reader), and taking that lease is what tells. 200 x
 * fork+exec under dash made a fresh copy of /bin/true for every exec. An
 * entry holds its source open, so no other file has its device and inode
 * while it is kept (sources are sealed memfds or read-only cache files:
 * their bytes do not change).
 */
#define COPIES 16

static struct copy {
    int src, copy; /* -1: free */
    dev_t dev;
    ino_t ino;
    unsigned long used;
} copies[COPIES];
static unsigned long copies_tick;
static bool copies_init;
static pthread_mutex_t copies_lock = PTHREAD_MUTEX_INITIALIZER;

/* copies_lock held: a gate on a kept copy of @st's file for @child, or -1 */
static int gate_kept_locked(const struct stat *st, pid_t child)
{
    if (!copies_init) {
        for (int i = 0; i < COPIES; i++)
            copies[i].src = copies[i].copy = -1;
        copies_init = true;
    }
    for (int i = 0; i < COPIES; i++) {
        struct copy *c = &copies[i];
        int gate;

        if (c->src < 0 || c->dev != st->st_dev || c->ino != st->st_ino)
            continue;
        gate = kbox_gate_open(c->copy, child); /* fails while in use */
        if (gate >= 0)
            c->used = ++copies_tick;
        return gate; /* one copy is kept per source */
    }
    return -1;
}

/* copies_lock held: keep @copy of @src (a dup is taken of both), in
 * place of the one kept of @src (still in use: one failed lease per exec
 * at most), else of the least recently used */
static void keep_copy_locked(int src, const struct stat *st, int copy)
{
    struct copy *v = &copies[0];
    int s, c;

    for (int i = 1; i < COPIES && v->src >= 0; i++)
        if (copies[i].src < 0 || copies[i].used < v->used)
            v = &copies[i];
    for (int i = 0; i < COPIES; i++)
        if (copies[i].src >= 0 && copies[i].dev == st->st_dev &&
            copies[i].ino == st->st_ino)
            v = &copies[i];
    s = fcntl(src, F_DUPFD_CLOEXEC, 0);
    c = s < 0 ? -1 : fcntl(copy, F_DUPFD_CLOEXEC, 0);
    if (c < 0) {
        if (s >= 0)
            close(s);
        return;
    }
    if (v->src >= 0) {
        close(v->src);
        close(v->copy);
    }
    *v = (struct copy){ s, c, st->st_dev, st->st_ino, ++copies_tick };
}

/* Replace *@prog by a gated private copy for @child's exec: true, or
 * false with *@prog unchanged. */
bool kbox_gate_program(int *prog, pid_t child, const char *where)
{
    struct stat st;
    void *m;
    int copy, gate, fd;

    if (fstat(*prog, &st) || !st.st_size || st.st_size > GATE_COPY_MAX)
        return false;
    pthread_mutex_lock(&copies_lock);
    gate = gate_kept_locked(&st, child);
    pthread_mutex_unlock(&copies_lock);
    if (gate < 0) {
        m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, *prog, 0);
        if (m == MAP_FAILED)
            return false;
        copy = kbox_exec_memfd("kbox-exec", m, (size_t)st.st_size);
        munmap(m, (size_t)st.st_size);
        if (copy < 0)
            return false;
        gate = kbox_gate_open(copy, child);
        if (gate >= 0) {
            pthread_mutex_lock(&copies_lock);
            keep_copy_locked(*prog, &st, copy);
            pthread_mutex_unlock(&copies_lock);
        }
        close(copy);
        if (gate < 0)
            return false;
    }
    fd = fcntl(gate, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
        kbox_gate_close(gate, child);
        return false;
    }
    kbox_mapname_note(fd, where);
    close(*prog);
    *prog = fd;
    return true;
}
