/* SPDX-License-Identifier: MIT */
/*
 * System V IPC and POSIX message queues between processes that exec and
 * die: a shared memory segment across fork and exec (attach counts, pids),
 * a SEM_UNDO holder and blocked semop, msgrcv and mq_receive waiters
 * killed with SIGKILL (a dead waiter must not take what is released or
 * sent later), SEM_UNDO kept across exec and shared by threads, and an
 * mq_notify registration dropped with its killed owner. fakeroot-sysv
 * leans on these: libfakeroot talks to faked over a message queue,
 * serialised by a semaphore, from every process dpkg-deb and
 * dpkg-buildpackage fork and exec.
 * Usage: ipc-holders   (shm-child ID KEY KID, sem-child ID: exec'd halves)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <mqueue.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <time.h>

#include "guest-check.h"

union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
};

static int wait_child(pid_t pid)
{
    int st;
    pid_t r;

    /* a notification signal may interrupt the wait */
    while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
        ;
    if (r != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Fork a child that reports "ready" on a pipe and then runs @fn; wait for
 * the report so the child is known to be (about to be) blocked. */
static pid_t spawn_ready(void (*fn)(int, long), long arg)
{
    int p[2];
    char c;
    pid_t pid;

    if (pipe(p) < 0)
        return -1;
    pid = fork();
    if (pid == 0) {
        close(p[0]);
        fn(p[1], arg);
        _exit(0);
    }
    close(p[1]);
    if (read(p[0], &c, 1) != 1)
        pid = -1;
    close(p[0]);
    return pid;
}

/* Poll @get until it returns @want (a blocked waiter shows up in a count),
 * up to 5 s: the child's report comes just before it blocks. */
static int settle(int (*get)(long), long a, int want)
{
    for (int i = 0; i < 500; i++) {
        if (get(a) == want)
            return 1;
        usleep(10000);
    }
    return 0;
}

/* ---- shared memory across fork and exec ------------------------------- */

static int shm_child(int id, key_t key, int kid)
{
    struct shmid_ds ds;
    char *p = shmat(id, NULL, 0);

    if (p == (void *)-1)
        return 10;
    if (strcmp(p, "parent") != 0)
        return 11;
    /* the attach inherited by the fork went with exec: parent's + ours */
    if (shmctl(id, IPC_STAT, &ds) < 0 || ds.shm_nattch != 2)
        return 12;
    if (ds.shm_lpid != getpid())
        return 13;
    strcpy(p, "child");
    if (shmget(key, 0, 0) != kid)
        return 14;
    return 0;
}

static void shared_memory(const char *self)
{
    struct shmid_ds ds;
    key_t key = (key_t)(0x6b690000 | (getpid() & 0xffff));
    int id = shmget(IPC_PRIVATE, 8192, IPC_CREAT | 0600);
    int kid = shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600);
    char *p;
    pid_t pid;
    int rc;

    check(id >= 0 && kid >= 0, "shmget private and keyed");
    p = shmat(id, NULL, 0);
    check(p != (void *)-1, "shmat");
    if (p == (void *)-1)
        return;
    strcpy(p, "parent");
    pid = fork();
    if (pid == 0) {
        char ids[16], keys[16], kids[16];

        if (shmctl(id, IPC_STAT, &ds) < 0 || ds.shm_nattch != 2)
            _exit(20);
        snprintf(ids, sizeof(ids), "%d", id);
        snprintf(keys, sizeof(keys), "%d", (int)key);
        snprintf(kids, sizeof(kids), "%d", kid);
        execl(self, self, "shm-child", ids, keys, kids, (char *)NULL);
        _exit(21);
    }
    check(wait_child(pid) == 0, "fork, exec: the new program attaches by "
                                "id, sees the parent's bytes, finds the key");
    check(strcmp(p, "child") == 0, "the parent sees the exec'd child's write");
    memset(&ds, 0, sizeof(ds));
    rc = shmctl(id, IPC_STAT, &ds);
    check(rc == 0 && ds.shm_nattch == 1,
          "one attach left after the child's exit (nattch %lu)",
          (unsigned long)ds.shm_nattch);
    check(ds.shm_cpid == getpid() && ds.shm_lpid == pid,
          "creator and last attach/detach pid (cpid %d lpid %d)",
          (int)ds.shm_cpid, (int)ds.shm_lpid);
    shmdt(p);
    check(shmctl(id, IPC_RMID, NULL) == 0 && shmctl(kid, IPC_RMID, NULL) == 0,
          "IPC_RMID");
}

/* ---- semaphores: SEM_UNDO holder and waiters killed -------------------- */

static int g_semid;

static int sem_ncnt(long n)
{
    return semctl(g_semid, (int)n, GETNCNT);
}

static void sem_holder(int ready, long unused)
{
    struct sembuf take = { 0, -1, SEM_UNDO };

    (void)unused;
    if (semop(g_semid, &take, 1) < 0)
        _exit(30);
    if (write(ready, "r", 1) != 1)
        _exit(31);
    pause();
}

static void sem_waiter(int ready, long num)
{
    struct sembuf take = { (unsigned short)num, -1, 0 };

    if (write(ready, "r", 1) != 1)
        _exit(32);
    if (semop(g_semid, &take, 1) < 0)
        _exit(33);
    _exit(0);
}

static void semaphores(void)
{
    struct sembuf take0 = { 0, -1, IPC_NOWAIT }, give1 = { 1, 1, 0 },
                  take1 = { 1, -1, IPC_NOWAIT };
    struct timespec ts = { 5, 0 };
    union semun arg;
    pid_t holder, waiter, dead;
    int rc;

    g_semid = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
    check(g_semid >= 0, "semget");
    arg.val = 1;
    semctl(g_semid, 0, SETVAL, arg);
    holder = spawn_ready(sem_holder, 0);
    check(holder > 0, "a child holds semaphore 0 with SEM_UNDO");
    check(semctl(g_semid, 0, GETVAL) == 0 &&
              semctl(g_semid, 0, GETPID) == holder,
          "its value is 0, GETPID the holder (%d, want %d)",
          semctl(g_semid, 0, GETPID), (int)holder);
    WANT(semop(g_semid, &take0, 1), EAGAIN, "IPC_NOWAIT on the held one");
    waiter = spawn_ready(sem_waiter, 0);
    check(settle(sem_ncnt, 0, 1), "a second child waits in semop (ncnt 1)");
    kill(holder, SIGKILL);
    check(wait_child(holder) == 128 + SIGKILL, "the holder is SIGKILLed");
    check(wait_child(waiter) == 0,
          "its undo wakes the waiter, which takes the semaphore");
    check(semctl(g_semid, 0, GETVAL) == 0 && semctl(g_semid, 0, GETNCNT) == 0,
          "value 0, nobody waiting");

    /* A waiter killed while blocked leaves the queue: a later +1 is not
     * given to it (Linux performs a woken waiter's op on its behalf). */
    dead = spawn_ready(sem_waiter, 1);
    check(settle(sem_ncnt, 1, 1), "a child waits on semaphore 1");
    kill(dead, SIGKILL);
    check(wait_child(dead) == 128 + SIGKILL, "the waiter is SIGKILLed");
    check(settle(sem_ncnt, 1, 0), "its wait is gone (ncnt 0)");
    check(semop(g_semid, &give1, 1) == 0, "semop +1");
    rc = semop(g_semid, &take1, 1);
    check(rc == 0, "the +1 is still there for a live process");
    take1.sem_flg = 0;
    give1.sem_op = 2;
    semop(g_semid, &give1, 1);
    check(semtimedop(g_semid, &take1, 1, &ts) == 0 &&
              semctl(g_semid, 1, GETVAL) == 1,
          "value after +2 -1 is 1");
    check(semctl(g_semid, 0, IPC_RMID) == 0, "semctl IPC_RMID");
}

/* The exec'd half of undo_across_exec: a thread takes semaphore 0 with
 * SEM_UNDO and ends; the undo waits for the process's exit (threads share
 * one undo list). */
static void *sem_thread(void *arg)
{
    struct sembuf take = { 0, -1, SEM_UNDO | IPC_NOWAIT };

    return (void *)(long)semop(*(int *)arg, &take, 1);
}

static int sem_child(int id)
{
    pthread_t t;
    void *rc;

    if (semctl(id, 0, GETVAL) != 1) /* 2, less the take before exec */
        return 15;
    if (pthread_create(&t, NULL, sem_thread, &id) || pthread_join(t, &rc) || rc)
        return 16;
    return semctl(id, 0, GETVAL) == 0 ? 0 : 17;
}

/* SEM_UNDO survives exec; a thread's adjustments are its process's. */
static void undo_across_exec(const char *self)
{
    struct sembuf take = { 0, -1, SEM_UNDO };
    union semun arg = { .val = 2 };
    int id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600), rc;
    pid_t pid;

    check(id >= 0, "semget for the exec test");
    semctl(id, 0, SETVAL, arg);
    pid = fork();
    if (pid == 0) {
        char ids[16];

        if (semop(id, &take, 1))
            _exit(30);
        snprintf(ids, sizeof(ids), "%d", id);
        execl(self, self, "sem-child", ids, (char *)NULL);
        _exit(31);
    }
    rc = wait_child(pid);
    check(rc == 0,
          "a child takes with SEM_UNDO and execs; the new program's thread "
          "takes again, its undo kept past the thread's end (status %d)",
          rc);
    check(semctl(id, 0, GETVAL) == 2,
          "both undone at the exec'd program's exit (value %d, want 2)",
          semctl(id, 0, GETVAL));
    check(semctl(id, 0, IPC_RMID) == 0, "semctl IPC_RMID");
}

/* ---- message queues: a killed msgrcv waiter ----------------------------- */

static int g_msqid;

struct msg {
    long mtype;
    char text[32];
};

static int msg_qnum(void)
{
    struct msqid_ds ds;

    if (msgctl(g_msqid, IPC_STAT, &ds) < 0)
        return -1;
    return (int)ds.msg_qnum;
}

static void msg_receiver(int ready, long type)
{
    struct msg m;

    if (write(ready, "r", 1) != 1)
        _exit(40);
    if (msgrcv(g_msqid, &m, sizeof(m.text), type, 0) < 0)
        _exit(41);
    _exit(0);
}

/* Is @pid asleep (state S) - in its blocking call, once reported ready? */
static int is_sleeping(long pid)
{
    char path[64], buf[256], *p;
    int fd, n;

    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    n = (int)read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    p = strrchr(buf, ')');
    return p && p[1] == ' ' && p[2] == 'S';
}

static void messages(void)
{
    struct msg m;
    struct msqid_ds ds;
    pid_t pid, dead;
    long types[3] = { 3, 1, 2 };

    g_msqid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    check(g_msqid >= 0, "msgget");
    pid = fork();
    if (pid == 0) {
        for (int i = 0; i < 3; i++) {
            m.mtype = types[i];
            snprintf(m.text, sizeof(m.text), "type %ld", types[i]);
            if (msgsnd(g_msqid, &m, sizeof(m.text), 0) < 0)
                _exit(1);
        }
        _exit(0);
    }
    check(wait_child(pid) == 0 && msg_qnum() == 3,
          "a child sent three messages");
    check(msgctl(g_msqid, IPC_STAT, &ds) == 0 && ds.msg_lspid == pid,
          "msg_lspid is the sender (%d, want %d)", (int)ds.msg_lspid, (int)pid);
    check(msgrcv(g_msqid, &m, sizeof(m.text), 2, 0) > 0 && m.mtype == 2,
          "msgrcv type 2");
    check(msgrcv(g_msqid, &m, sizeof(m.text), -3, 0) > 0 && m.mtype == 1,
          "msgrcv type <= 3 takes the lowest (1)");
    check(msgrcv(g_msqid, &m, sizeof(m.text), 0, 0) > 0 && m.mtype == 3,
          "msgrcv 0 takes the first left (3)");
    check(msgctl(g_msqid, IPC_STAT, &ds) == 0 && ds.msg_lrpid == getpid(),
          "msg_lrpid is the receiver");

    /* A receiver killed while blocked must not take a later message
     * (msgsnd hands a message straight to a sleeping receiver). */
    dead = spawn_ready(msg_receiver, 7);
    for (int i = 0; i < 500 && !is_sleeping(dead); i++)
        usleep(10000);
    usleep(100000); /* it reported and sleeps; give it time to block */
    kill(dead, SIGKILL);
    check(wait_child(dead) == 128 + SIGKILL, "the blocked msgrcv is killed");
    m.mtype = 7;
    strcpy(m.text, "after");
    check(msgsnd(g_msqid, &m, sizeof(m.text), 0) == 0, "msgsnd type 7");
    memset(&m, 0, sizeof(m));
    check(msgrcv(g_msqid, &m, sizeof(m.text), 7, IPC_NOWAIT) > 0 &&
              strcmp(m.text, "after") == 0,
          "the message is still queued for a live receiver");
    check(msgctl(g_msqid, IPC_RMID, NULL) == 0, "msgctl IPC_RMID");
}

/* ---- POSIX message queues ---------------------------------------------- */

static char g_mqname[64];
static volatile sig_atomic_t g_sig_code, g_sig_pid;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    g_sig_code = si->si_code;
    g_sig_pid = si->si_pid;
}

static void mq_notifier(int ready, long unused)
{
    struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL,
                            .sigev_signo = SIGUSR2 };
    mqd_t q = mq_open(g_mqname, O_RDWR);

    (void)unused;
    if (q < 0 || mq_notify(q, &sev) < 0)
        _exit(50);
    if (write(ready, "r", 1) != 1)
        _exit(51);
    pause();
}

static void mq_receiver(int ready, long unused)
{
    char buf[64];
    mqd_t q = mq_open(g_mqname, O_RDWR);

    (void)unused;
    if (q < 0)
        _exit(52);
    if (write(ready, "r", 1) != 1)
        _exit(53);
    if (mq_receive(q, buf, sizeof(buf), NULL) < 0)
        _exit(54);
    _exit(0);
}

static void posix_mq(void)
{
    struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 64 };
    struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL,
                            .sigev_signo = SIGUSR1 };
    struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO };
    char buf[64];
    unsigned prio = 0;
    pid_t notifier, sender, dead;
    mqd_t q;

    snprintf(g_mqname, sizeof(g_mqname), "/kbox-ipc-holders-%d", getpid());
    q = mq_open(g_mqname, O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
    check(q >= 0, "mq_open");
    if (q < 0)
        return;
    sigaction(SIGUSR1, &sa, NULL);

    notifier = spawn_ready(mq_notifier, 0);
    check(notifier > 0, "a child registered for notification");
    WANT(mq_notify(q, &sev), EBUSY, "a second registration");
    kill(notifier, SIGKILL);
    check(wait_child(notifier) == 128 + SIGKILL, "the registered child is "
                                                 "SIGKILLed");
    check(mq_notify(q, &sev) == 0,
          "its registration went with it: ours is taken");
    sender = fork();
    if (sender == 0) {
        mqd_t c = mq_open(g_mqname, O_WRONLY);

        _exit(c < 0 || mq_send(c, "note", 5, 3) < 0);
    }
    check(wait_child(sender) == 0, "another child sends");
    for (int i = 0; i < 500 && !g_sig_code; i++)
        usleep(10000);
    check(g_sig_code == SI_MESGQ && g_sig_pid == sender,
          "SIGUSR1 with SI_MESGQ from the sender (code %d pid %d)",
          (int)g_sig_code, (int)g_sig_pid);
    check(mq_receive(q, buf, sizeof(buf), &prio) == 5 && prio == 3 &&
              strcmp(buf, "note") == 0,
          "mq_receive gets it, priority 3");

    /* A receiver killed while blocked must not take a later message
     * (mq_send hands a message straight to a waiting receiver). */
    dead = spawn_ready(mq_receiver, 0);
    for (int i = 0; i < 500 && !is_sleeping(dead); i++)
        usleep(10000);
    usleep(100000);
    kill(dead, SIGKILL);
    check(wait_child(dead) == 128 + SIGKILL, "the blocked mq_receive is "
                                             "killed");
    check(mq_send(q, "later", 6, 1) == 0, "mq_send");
    memset(buf, 0, sizeof(buf));
    check(mq_timedreceive(q, buf, sizeof(buf), &prio,
                          &(struct timespec){ time(NULL) + 5, 0 }) == 6 &&
              strcmp(buf, "later") == 0,
          "the message is still queued for a live receiver");
    mq_close(q);
    check(mq_unlink(g_mqname) == 0, "mq_unlink");
}

int main(int argc, char **argv)
{
    char self[4096];
    ssize_t n;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 3 && strcmp(argv[1], "sem-child") == 0)
        return sem_child(atoi(argv[2]));
    if (argc == 5 && strcmp(argv[1], "shm-child") == 0)
        return shm_child(atoi(argv[2]), (key_t)atoi(argv[3]), atoi(argv[4]));
    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0)
        return 2;
    self[n] = '\0';
    shared_memory(self);
    semaphores();
    undo_across_exec(self);
    messages();
    posix_mq();
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
