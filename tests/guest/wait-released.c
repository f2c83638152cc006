/* SPDX-License-Identifier: MIT */
/*
 * wait-released: once waitpid() has returned a child killed by SIGKILL,
 * everything it held is released - Linux closes its files and applies
 * its semaphore undos before its parent can reap it. So `kill -9 $p;
 * wait $p` and then a non-blocking take must succeed at once: its flock,
 * its fcntl lock (dpkg's lock-frontend), a SEM_UNDO semaphore
 * (libfakeroot's) and its mq_notify registration; and a message sent
 * then is not taken by the dead child's msgrcv or mq_receive. kbox let a
 * killed process's lx task go from its serve loop, racing the parent's
 * next call, and a task held by a call blocked in lx only when a later
 * scan ended that call: the lock was still held (EWOULDBLOCK, EAGAIN,
 * EBUSY) in a fifth to a half of the rounds. Its FIFO read end, too: a
 * non-blocking open for writing is ENXIO once the only reader is reaped
 * (kbox's open found the dead child's end and succeeded). Each take is
 * one try, no
 * retry; each round starts with another kind of take. Passes natively.
 * Usage: wait-released [DIR] [ROUNDS]   (DIR default $TMPDIR or /tmp)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "guest-check.h"

#define NTAKES 7

static int fl, pl, semid, msqid;
static char fifo[512];
static mqd_t q;
static struct sigevent sev = { .sigev_notify = SIGEV_NONE };
static struct msg {
    long mtype;
    char text[16];
} m = { 5, "msg" };

/* Take kind @k as the parent, non-blocking, and give it back: 0 if it
 * was free (or the message still queued). */
static int take(int k)
{
    struct flock fk = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    struct sembuf op = { 0, -1, IPC_NOWAIT | SEM_UNDO };

    switch (k) {
    case 0:
        return flock(fl, LOCK_EX | LOCK_NB) || flock(fl, LOCK_UN);
    case 1:
        if (fcntl(pl, F_SETLK, &fk))
            return -1;
        fk.l_type = F_UNLCK;
        return fcntl(pl, F_SETLK, &fk);
    case 2:
        if (semop(semid, &op, 1))
            return -1;
        op.sem_op = 1;
        return semop(semid, &op, 1);
    case 3:
        return mq_notify(q, &sev) || mq_notify(q, NULL);
    case 6: { /* no reader left: ENXIO, natively */
        int w = open(fifo, O_WRONLY | O_NONBLOCK);

        if (w >= 0)
            close(w);
        return w >= 0 || errno != ENXIO;
    }
    case 4:
        return msgsnd(msqid, &m, sizeof(m.text), 0) ||
               msgrcv(msqid, &m, sizeof(m.text), 5, IPC_NOWAIT) < 0;
    default:
        return mq_send(q, "mq", 3, 0) ||
               mq_receive(q, m.text, sizeof(m.text), NULL) != 3;
    }
}

/* The child: hold every kind, report, then wait where round @i says. */
static void hold(const char *lock, const char *plock, const char *mqname,
                 int ready, int i)
{
    struct flock fk = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    struct sembuf op = { 0, -1, SEM_UNDO };
    int f = open(lock, O_RDWR), p = open(plock, O_RDWR);
    mqd_t cq = mq_open(mqname, O_RDWR);
    int rf = open(fifo, O_RDONLY | O_NONBLOCK);

    if (f < 0 || rf < 0 || flock(f, LOCK_EX | LOCK_NB) || p < 0 ||
        fcntl(p, F_SETLK, &fk) || semop(semid, &op, 1) || cq < 0 ||
        mq_notify(cq, &sev))
        _exit(1);
    if (write(ready, "r", 1) != 1)
        _exit(1);
    /* blocked in lx, or in the host, when the kill comes */
    if (i % 3 == 0)
        msgrcv(msqid, &m, sizeof(m.text), 5, 0);
    else if (i % 3 == 1)
        mq_receive(cq, m.text, sizeof(m.text), NULL);
    pause();
    _exit(0);
}

int main(int argc, char **argv)
{
    static const char *const what[NTAKES] = {
        "its flock was free",
        "its fcntl lock was free",
        "its SEM_UNDO was undone",
        "its mq_notify registration was gone",
        "a message sent then stayed queued",
        "an mq message sent then stayed",
        "its FIFO read end was closed"
    };
    static const char *const where[3] = { "msgrcv", "mq_receive", "pause" };
    const char *dir = argc > 1 ? argv[1] : getenv("TMPDIR");
    int rounds = argc > 2 ? atoi(argv[2]) : 30;
    struct mq_attr attr = { .mq_maxmsg = 2, .mq_msgsize = 16 };
    char lock[512], plock[512], mqname[64];
    int bad[NTAKES] = { 0 };

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!dir || !*dir)
        dir = "/tmp";
    snprintf(lock, sizeof(lock), "%s/wait-released-%d.flock", dir,
             (int)getpid());
    snprintf(plock, sizeof(plock), "%s/wait-released-%d.lock", dir,
             (int)getpid());
    snprintf(fifo, sizeof(fifo), "%s/wait-released-%d.fifo", dir,
             (int)getpid());
    snprintf(mqname, sizeof(mqname), "/wait-released-%d", (int)getpid());
    fl = open(lock, O_RDWR | O_CREAT, 0600);
    pl = open(plock, O_RDWR | O_CREAT, 0600);
    semid = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
    msqid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    q = mq_open(mqname, O_CREAT | O_RDWR, 0600, &attr);
    check(fl >= 0 && pl >= 0 && semid >= 0 && msqid >= 0 && q >= 0 &&
              !mkfifo(fifo, 0600),
          "lock files, semaphore set, message queues, FIFO");
    if (fl < 0 || pl < 0 || semid < 0 || msqid < 0 || q < 0)
        return 1;
    semctl(semid, 0, SETVAL, 1);

    for (int i = 0; i < rounds; i++) {
        int ready[2], st;
        char c;
        pid_t pid;

        if (pipe(ready) < 0)
            return 1;
        pid = fork();
        if (pid == 0)
            hold(lock, plock, mqname, ready[1], i);
        close(ready[1]);
        if (read(ready[0], &c, 1) != 1) {
            check(0, "round %d: the child took everything", i);
            break;
        }
        close(ready[0]);
        kill(pid, SIGKILL);
        if (waitpid(pid, &st, 0) != pid || !WIFSIGNALED(st)) {
            check(0, "round %d: killed, reaped", i);
            break;
        }
        /* all at once, no retry: the child is gone; a different first
         * take each round */
        for (int j = 0; j < NTAKES; j++) {
            int k = (i + j) % NTAKES;

            if (take(k) && bad[k]++ < 2)
                printf("# round %d (child killed in %s): %s: no\n", i,
                       where[i % 3], what[k]);
        }
    }
    for (int k = 0; k < NTAKES; k++)
        check(!bad[k], "after the kill and wait, %s (%d of %d rounds not)",
              what[k], bad[k], rounds);
    mq_close(q);
    mq_unlink(mqname);
    semctl(semid, 0, IPC_RMID);
    msgctl(msqid, IPC_RMID, NULL);
    unlink(lock);
    unlink(plock);
    unlink(fifo);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
