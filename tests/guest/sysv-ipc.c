/* SPDX-License-Identifier: MIT */
/*
 * System V IPC as Linux gives it: message queues, semaphore sets and
 * shared memory, across fork, with blocking, signals, SEM_UNDO at exit,
 * removal while attached, and (as root, first argument "root") the
 * permission checks against another user. A second argument is the id of
 * a segment outside the sandbox, which must not be attachable. With
 * "hold": attach a new segment and sleep.
 * Passes natively too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest-check.h"

union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
};

struct msg {
    long type;
    char text[64];
};

static void on_alarm(int sig)
{
    (void)sig;
}

/* SIGALRM with a handler and SA_RESTART, in @ms milliseconds */
static void alarm_in(int ms)
{
    struct sigaction sa;
    struct itimerval it = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    setitimer(ITIMER_REAL, &it, NULL);
}

static int wait_child(pid_t pid)
{
    int st;

    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void messages(key_t key)
{
    struct msg m, got;
    struct msqid_ds ds;
    int q, q2;
    pid_t pid;
    long n;

    q = msgget(key, IPC_CREAT | IPC_EXCL | 0600);
    check(q >= 0, "msgget IPC_CREAT|IPC_EXCL makes a queue");
    check(msgget(key, IPC_CREAT | IPC_EXCL | 0600) < 0 && errno == EEXIST,
          "the same key again with IPC_EXCL: EEXIST");
    q2 = msgget(key, 0);
    check(q2 == q, "msgget of the key finds it (%d, %d)", q2, q);
    check(msgget(key + 1, 0) < 0 && errno == ENOENT,
          "an unknown key without IPC_CREAT: ENOENT");

    m.type = 2;
    strcpy(m.text, "second");
    check(msgsnd(q, &m, strlen(m.text) + 1, 0) == 0, "msgsnd type 2");
    m.type = 1;
    strcpy(m.text, "first");
    check(msgsnd(q, &m, strlen(m.text) + 1, 0) == 0, "msgsnd type 1");
    check(msgctl(q, IPC_STAT, &ds) == 0 && ds.msg_qnum == 2 &&
              ds.msg_lspid == getpid() && ds.msg_cbytes == 13,
          "IPC_STAT: 2 messages, 13 bytes, sent by us (%lu, %lu, %d)",
          (unsigned long)ds.msg_qnum, (unsigned long)ds.msg_cbytes,
          (int)ds.msg_lspid);
    n = msgrcv(q, &got, sizeof(got.text), 1, 0);
    check(n == 6 && got.type == 1 && !strcmp(got.text, "first"),
          "msgrcv of type 1 skips the older type 2 (%ld)", n);
    n = msgrcv(q, &got, 3, 0, 0);
    check(n < 0 && errno == E2BIG, "a message longer than the buffer: E2BIG");
    n = msgrcv(q, &got, 3, 0, MSG_NOERROR);
    check(n == 3 && !memcmp(got.text, "sec", 3),
          "MSG_NOERROR truncates it (%ld)", n);
    check(msgrcv(q, &got, sizeof(got.text), 0, IPC_NOWAIT) < 0 &&
              errno == ENOMSG,
          "an empty queue with IPC_NOWAIT: ENOMSG");

    /* a blocked receiver woken by another process */
    pid = fork();
    if (pid == 0) {
        usleep(100000);
        m.type = 7;
        strcpy(m.text, "from the child");
        _exit(msgsnd(q, &m, strlen(m.text) + 1, 0) == 0 ? 0 : 1);
    }
    n = msgrcv(q, &got, sizeof(got.text), 7, 0);
    check(n > 0 && !strcmp(got.text, "from the child"),
          "a blocked msgrcv gets the child's message");
    check(wait_child(pid) == 0, "the child sent it");
    check(msgctl(q, IPC_STAT, &ds) == 0 && ds.msg_lspid == pid &&
              ds.msg_lrpid == getpid(),
          "IPC_STAT names the sender and the receiver");

    /* a handler interrupts msgrcv: EINTR even with SA_RESTART */
    alarm_in(100);
    n = msgrcv(q, &got, sizeof(got.text), 0, 0);
    check(n < 0 && errno == EINTR, "a signal handler ends a blocked msgrcv");

    check(msgctl(q, IPC_RMID, NULL) == 0, "IPC_RMID");
    check(msgsnd(q, &m, 1, 0) < 0 && (errno == EINVAL || errno == EIDRM),
          "a removed queue is gone");
}

static void semaphores(key_t key)
{
    unsigned short vals[3] = { 1, 0, 5 }, out[3] = { 0 };
    struct sembuf op;
    struct semid_ds ds;
    struct timespec ts = { 0, 50 * 1000 * 1000 };
    union semun arg;
    pid_t pid;
    int s, rc;

    s = semget(key, 3, IPC_CREAT | 0640);
    check(s >= 0, "semget of 3 semaphores");
    arg.buf = &ds;
    check(semctl(s, 0, IPC_STAT, arg) == 0 && ds.sem_nsems == 3 &&
              (ds.sem_perm.mode & 0777) == 0640 && ds.sem_perm.uid == geteuid(),
          "IPC_STAT: 3 semaphores, mode 0640, ours");
    arg.array = vals;
    check(semctl(s, 0, SETALL, arg) == 0, "SETALL");
    arg.array = out;
    check(semctl(s, 0, GETALL, arg) == 0 && out[0] == 1 && out[1] == 0 &&
              out[2] == 5,
          "GETALL gives them back (%u %u %u)", out[0], out[1], out[2]);
    arg.val = 9;
    check(semctl(s, 2, SETVAL, arg) == 0 && semctl(s, 2, GETVAL) == 9,
          "SETVAL / GETVAL");

    op.sem_num = 1;
    op.sem_op = -1;
    op.sem_flg = 0;
    rc = semtimedop(s, &op, 1, &ts);
    check(rc < 0 && errno == EAGAIN, "semtimedop on a zero times out: EAGAIN");

    /* a waiter woken by another process's semop */
    pid = fork();
    if (pid == 0) {
        struct sembuf up = { 1, 1, 0 };

        usleep(100000);
        _exit(semop(s, &up, 1) == 0 ? 0 : 1);
    }
    check(semop(s, &op, 1) == 0, "a blocked semop is woken by the child");
    check(wait_child(pid) == 0, "the child's semop");
    check(semctl(s, 1, GETPID) == getpid(),
          "GETPID names the process whose operation completed last (us)");
    pid = fork();
    if (pid == 0) {
        struct sembuf up = { 2, 1, 0 };

        _exit(semop(s, &up, 1) == 0 ? 0 : 1);
    }
    check(wait_child(pid) == 0 && semctl(s, 2, GETPID) == pid &&
              semctl(s, 2, GETVAL) == 10,
          "GETPID names a child that changed a semaphore");

    /* SEM_UNDO: a process's adjustments are undone when it exits */
    pid = fork();
    if (pid == 0) {
        struct sembuf take = { 0, -1, SEM_UNDO };

        _exit(semop(s, &take, 1) == 0 && semctl(s, 0, GETVAL) == 0 ? 0 : 1);
    }
    check(wait_child(pid) == 0, "the child took semaphore 0 with SEM_UNDO");
    check(semctl(s, 0, GETVAL) == 1, "its exit gave it back (%d)",
          semctl(s, 0, GETVAL));

    /* a handler interrupts semop: EINTR even with SA_RESTART */
    alarm_in(100);
    rc = semop(s, &op, 1);
    check(rc < 0 && errno == EINTR, "a signal handler ends a blocked semop");
    check(semctl(s, 1, GETNCNT) == 0, "no waiter is left counted");

    check(semctl(s, 0, IPC_RMID) == 0, "IPC_RMID");
    check(semctl(s, 0, GETVAL) < 0 && (errno == EINVAL || errno == EIDRM),
          "a removed set is gone");
}

/* /proc/sysvipc/shm lists segment @id with @size bytes and @nattch */
static int proc_line_says(int id, size_t size, unsigned long nattch)
{
    FILE *f = fopen("/proc/sysvipc/shm", "r");
    char line[512];
    int found = 0;

    if (!f)
        return 0;
    while (fgets(line, sizeof(line), f)) {
        int key, lid;
        unsigned mode;
        unsigned long lsize, n;
        unsigned cpid, lpid;

        if (sscanf(line, "%d %d %o %lu %u %u %lu", &key, &lid, &mode, &lsize,
                   &cpid, &lpid, &n) == 7 &&
            lid == id)
            found = lsize == size && n == nattch;
    }
    fclose(f);
    return found;
}

static void shared_memory(key_t key, int outside)
{
    struct shmid_ds ds;
    size_t size = 1 << 20;
    char *p, *q;
    int id, id2;
    pid_t pid;

    id = shmget(key, size, IPC_CREAT | IPC_EXCL | 0600);
    check(id >= 0, "shmget of 1 MiB");
    check(shmget(key, size, IPC_CREAT | IPC_EXCL | 0600) < 0 && errno == EEXIST,
          "the same key again with IPC_EXCL: EEXIST");
    check(shmget(key, 0, 0) == id, "shmget of the key finds it");
    check(shmget(key, 2 * size, 0) < 0 && errno == EINVAL,
          "asking for more than it has: EINVAL");
    check(shmget(key + 1, size, 0) < 0 && errno == ENOENT,
          "an unknown key without IPC_CREAT: ENOENT");
    p = shmat(id, NULL, 0);
    check(p != (void *)-1, "shmat");
    if (p == (void *)-1)
        return;
    strcpy(p, "written by the parent");
    check(shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_nattch == 1 &&
              ds.shm_segsz == size && ds.shm_cpid == getpid() &&
              ds.shm_lpid == getpid() && (ds.shm_perm.mode & 0777) == 0600,
          "IPC_STAT: 1 attach, its size, made and attached by us "
          "(%lu, %zu, %d, %d, %o)",
          (unsigned long)ds.shm_nattch, (size_t)ds.shm_segsz, (int)ds.shm_cpid,
          (int)ds.shm_lpid, ds.shm_perm.mode);

    check(proc_line_says(id, size, 1),
          "/proc/sysvipc/shm: its size and 1 attach");

    /* another process attaches it by id: the same memory */
    pid = fork();
    if (pid == 0) {
        char *c = shmat(id, NULL, 0);

        if (c == (void *)-1 || strcmp(c, "written by the parent"))
            _exit(1);
        strcpy(c + 4096, "written by the child");
        _exit(shmdt(c) == 0 ? 0 : 2);
    }
    check(wait_child(pid) == 0, "a child attaches it and sees our data");
    check(!strcmp(p + 4096, "written by the child"), "we see the child's data");
    check(shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_nattch == 1 &&
              ds.shm_lpid == pid,
          "its detach is counted, and it was the last (%lu, %d)",
          (unsigned long)ds.shm_nattch, (int)ds.shm_lpid);

    /* fork keeps attachments; removal waits for the last detach */
    q = shmat(id, NULL, SHM_RDONLY);
    check(q != (void *)-1 && !strcmp(q, "written by the parent"),
          "a second, read-only attach");
    check(shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_nattch == 2,
          "2 attaches (%lu)", (unsigned long)ds.shm_nattch);
    check(shmctl(id, IPC_RMID, NULL) == 0, "IPC_RMID while attached");
    check(shmget(key, 0, 0) < 0 && errno == ENOENT, "the key is free again");
    check(shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_perm.__key == IPC_PRIVATE &&
              (ds.shm_perm.mode & SHM_DEST) && ds.shm_nattch == 2,
          "IPC_STAT: marked for removal, no key, still attached");
    pid = fork();
    if (pid == 0) {
        char *c = shmat(id, NULL, 0);

        _exit(c != (void *)-1 && !strcmp(c, "written by the parent") ? 0 : 1);
    }
    check(wait_child(pid) == 0,
          "a removed segment can still be attached while attached (Linux)");
    id2 = shmget(key, size, IPC_CREAT | IPC_EXCL | 0600);
    check(id2 >= 0 && id2 != id, "a new segment can take the key");
    check(shmdt(q) == 0 && shmdt(p) == 0, "shmdt both");
    check(shmctl(id, IPC_STAT, &ds) < 0 && (errno == EINVAL || errno == EIDRM),
          "after the last detach it is gone");
    check(shmctl(id2, IPC_RMID, NULL) == 0, "IPC_RMID of the new one");

    if (outside >= 0) {
        p = shmat(outside, NULL, SHM_RDONLY);
        check(p == (void *)-1 && errno == EINVAL,
              "a segment outside the sandbox cannot be attached");
        check(shmctl(outside, IPC_STAT, &ds) < 0 && errno == EINVAL,
              "nor asked about");
    }
}

/* As root: another user is held to the permissions. */
static void permissions(key_t key)
{
    int q = msgget(key, IPC_CREAT | 0600);
    int s = semget(key, 1, IPC_CREAT | 0644);
    int m = shmget(key, 4096, IPC_CREAT | 0640);
    pid_t pid;
    int rc;

    check(q >= 0 && s >= 0 && m >= 0, "root makes a queue, a set, a segment");
    pid = fork();
    if (pid == 0) {
        struct sembuf op = { 0, 1, IPC_NOWAIT };
        struct msg msg = { 1, "x" };
        int bad = 0;

        if (setgid(65534) || setuid(65534))
            _exit(9);
        if (!(msgsnd(q, &msg, 1, IPC_NOWAIT) < 0 && errno == EACCES))
            bad |= 1;
        if (!(msgget(key, 0400) < 0 && errno == EACCES))
            bad |= 2;
        if (!(semctl(s, 0, GETVAL) == 0)) /* 0644: others may read */
            bad |= 4;
        if (!(semop(s, &op, 1) < 0 && errno == EACCES))
            bad |= 8;
        if (!(shmat(m, NULL, SHM_RDONLY) == (void *)-1 && errno == EACCES))
            bad |= 16;
        if (!(shmctl(m, IPC_RMID, NULL) < 0 && errno == EPERM))
            bad |= 32;
        _exit(bad);
    }
    rc = wait_child(pid);
    check(rc == 0, "another user gets EACCES/EPERM where the modes say so (%d)",
          rc);
    msgctl(q, IPC_RMID, NULL);
    semctl(s, 0, IPC_RMID);
    shmctl(m, IPC_RMID, NULL);
}

int main(int argc, char **argv)
{
    /* keys of our own: a native run must not meet another program's */
    key_t key = (key_t)(0x6b620000 | (getpid() & 0xffff));
    int outside = argc > 2 ? atoi(argv[2]) : -1;

    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 1 && !strcmp(argv[1], "hold")) {
        /* a segment in use while kbox is killed (74-sysv-ipc.sh) */
        int id = shmget(IPC_PRIVATE, 65536, 0600);
        char *p = id >= 0 ? shmat(id, NULL, 0) : (void *)-1;

        if (p == (void *)-1)
            return 1;
        printf("holding %d\n", id);
        sleep(60);
        return 0;
    }
    messages(key);
    semaphores(key);
    shared_memory(key, outside);
    if (argc > 1 && !strcmp(argv[1], "root"))
        permissions(key + 2);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
