/* SPDX-License-Identifier: MIT */
/*
 * leak-probe WORK ROUNDS BATCHES DIR [CTL]: runs ROUNDS rounds of one
 * workload BATCHES times in DIR and, after each batch, drops lx's caches
 * and prints lx's counters (vmstat's slab and free pages, dentry and
 * inode counts, open files, tasks). With CTL (a directory on a bind) it
 * then creates CTL/req.N and waits for CTL/ack.N, so that a harness on
 * the host can sample kbox itself (RSS, fds, threads, maps) at that point.
 * Used by tests/stress/37-leak-growth.sh and to measure growth by hand.
 * Workloads: forkexec open mkrm pipes unix shmap threads signals killtree
 * exec (DIR/prog: a copy of a program, e.g. on a bind) inotify locks
 * sysv mqueue ptys fdpass fdkinds (eventfd, timerfd, signalfd, memfd,
 * O_PATH, epoll) killblocked (a child killed asleep in lx) chdir. The batch
 * line is "batch N: key=value ...".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *dir;

static void die(const char *what)
{
    fprintf(stderr, "leak-probe: %s: %s\n", what, strerror(errno));
    exit(2);
}

static void path(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", dir, name);
}

static void reap(pid_t pid)
{
    int st;

    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            die("waitpid");
}

static void w_forkexec(int i)
{
    pid_t pid = fork();

    (void)i;
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        execl("/bin/true", "true", (char *)NULL);
        _exit(127);
    }
    reap(pid);
}

static void w_exec(int i)
{
    char p[256];
    pid_t pid;

    (void)i;
    path(p, sizeof p, "prog");
    pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        execl(p, "prog", (char *)NULL);
        _exit(127);
    }
    reap(pid);
}

static void w_open(int i)
{
    int fd = open(i & 1 ? "/etc/passwd" : "/etc/group", O_RDONLY);
    char b[64];

    if (fd < 0)
        die("open");
    if (read(fd, b, sizeof b) < 0)
        die("read");
    close(fd);
}

static void w_mkrm(int i)
{
    char f[256], d[256];
    int fd;

    snprintf(f, sizeof f, "%s/f%d", dir, i % 8);
    snprintf(d, sizeof d, "%s/d%d", dir, i % 8);
    fd = open(f, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0)
        die("create");
    if (write(fd, "x", 1) != 1)
        die("write");
    close(fd);
    if (mkdir(d, 0755) < 0 || rmdir(d) < 0 || unlink(f) < 0)
        die("mkdir/rmdir/unlink");
}

static void w_pipes(int i)
{
    int p[2], s[2];
    char c = 'x';

    (void)i;
    if (pipe(p) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, s) < 0)
        die("pipe/socketpair");
    if (write(p[1], &c, 1) != 1 || read(p[0], &c, 1) != 1 ||
        write(s[0], &c, 1) != 1 || read(s[1], &c, 1) != 1)
        die("pipe io");
    close(p[0]);
    close(p[1]);
    close(s[0]);
    close(s[1]);
}

static void w_unix(int i)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    int l, c, s;
    char ch = 'u';

    snprintf(a.sun_path, sizeof a.sun_path, "%s/s%d", dir, i % 4);
    unlink(a.sun_path);
    l = socket(AF_UNIX, SOCK_STREAM, 0);
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    if (l < 0 || c < 0)
        die("socket");
    if (bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 1) < 0)
        die("bind/listen");
    if (connect(c, (struct sockaddr *)&a, sizeof a) < 0)
        die("connect");
    s = accept(l, NULL, NULL);
    if (s < 0)
        die("accept");
    if (write(c, &ch, 1) != 1 || read(s, &ch, 1) != 1)
        die("unix io");
    close(s);
    close(c);
    close(l);
    if (unlink(a.sun_path) < 0)
        die("unlink socket");
}

static void w_shmap(int i)
{
    char p[256];
    int fd;
    char *m;

    path(p, sizeof p, "map");
    fd = open(p, O_RDWR | O_CREAT, 0644);
    if (fd < 0 || ftruncate(fd, 8192) < 0)
        die("open map");
    m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED)
        die("mmap");
    m[i % 8192] = (char)i;
    if (msync(m, 8192, MS_SYNC) < 0)
        die("msync");
    munmap(m, 8192);
    close(fd);
}

static void *thr(void *arg)
{
    int fd = open("/etc/passwd", O_RDONLY);

    if (fd >= 0)
        close(fd);
    return arg;
}

static void w_threads(int i)
{
    pthread_t t;

    (void)i;
    if (pthread_create(&t, NULL, thr, NULL) != 0)
        die("pthread_create");
    pthread_join(t, NULL);
}

static volatile sig_atomic_t got;

static void on_sig(int s)
{
    (void)s;
    got++;
}

static void w_signals(int i)
{
    pid_t pid;
    sigset_t ss;
    int s;

    (void)i;
    kill(getpid(), SIGUSR1);
    sigemptyset(&ss);
    sigaddset(&ss, SIGUSR2);
    sigprocmask(SIG_BLOCK, &ss, NULL);
    pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        sigwait(&ss, &s);
        _exit(0);
    }
    kill(pid, SIGUSR2);
    reap(pid);
}

static void w_killtree(int i)
{
    int p[2];
    pid_t pid;
    char c;

    (void)i;
    if (pipe(p) < 0)
        die("pipe");
    pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        int fd;

        setpgid(0, 0);
        if (fork() == 0) {
            fd = open("/etc/passwd", O_RDONLY);
            (void)fd;
            if (write(p[1], "g", 1) != 1)
                _exit(1);
            for (;;)
                pause();
        }
        fd = open("/etc/group", O_RDONLY);
        (void)fd;
        if (write(p[1], "c", 1) != 1)
            _exit(1);
        for (;;)
            pause();
    }
    close(p[1]);
    if (read(p[0], &c, 1) != 1 || read(p[0], &c, 1) != 1)
        die("tree start");
    close(p[0]);
    setpgid(pid, pid);
    kill(-pid, SIGKILL);
    reap(pid);
    /* the grandchild is reparented to init (or a subreaper): let it go */
    usleep(100);
}

static void w_inotify(int i)
{
    int fd = inotify_init1(IN_CLOEXEC), wd;

    (void)i;
    if (fd < 0)
        die("inotify_init1");
    wd = inotify_add_watch(fd, dir, IN_CREATE);
    if (wd < 0 || inotify_rm_watch(fd, wd) < 0)
        die("inotify watch");
    wd = inotify_add_watch(fd, "/etc/passwd", IN_OPEN);
    if (wd < 0)
        die("inotify watch 2");
    close(fd);
}

static void w_locks(int i)
{
    char p[256];
    struct flock fl = {
        .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = i % 16, .l_len = 1
    };
    int fd;

    path(p, sizeof p, "lock");
    fd = open(p, O_RDWR | O_CREAT, 0644);
    if (fd < 0)
        die("open lock");
    if (flock(fd, LOCK_EX) < 0 || fcntl(fd, F_SETLK, &fl) < 0)
        die("lock");
    fl.l_type = F_UNLCK;
    if (i & 1)
        fcntl(fd, F_SETLK, &fl);
    if (i & 2)
        flock(fd, LOCK_UN);
    close(fd);
}

static void w_sysv(int i)
{
    int q = msgget(IPC_PRIVATE, 0600), s = semget(IPC_PRIVATE, 2, 0600);
    int m = shmget(IPC_PRIVATE, 4096, 0600);
    struct {
        long t;
        char b[8];
    } msg = { 1, "hi" };

    (void)i;
    if (q < 0 || s < 0 || m < 0)
        die("sysv get");
    if (msgsnd(q, &msg, sizeof msg.b, 0) < 0)
        die("msgsnd");
    msgctl(q, IPC_RMID, NULL);
    semctl(s, 0, IPC_RMID);
    shmctl(m, IPC_RMID, NULL);
}

static void w_mqueue(int i)
{
    char name[64];
    struct mq_attr at = { .mq_maxmsg = 4, .mq_msgsize = 16 };
    mqd_t q;

    snprintf(name, sizeof name, "/leakprobe%d", i % 4);
    q = mq_open(name, O_CREAT | O_RDWR, 0600, &at);
    if (q == (mqd_t)-1)
        die("mq_open");
    if (mq_send(q, "hi", 2, 0) < 0)
        die("mq_send");
    mq_close(q);
    if (mq_unlink(name) < 0)
        die("mq_unlink");
}

static void w_ptys(int i)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY), sl;
    char *name;

    (void)i;
    if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 || !(name = ptsname(m)))
        die("posix_openpt");
    sl = open(name, O_RDWR | O_NOCTTY);
    if (sl < 0)
        die("open pts");
    close(sl);
    close(m);
}

static void w_fdpass(int i)
{
    int s[2], fd = open(i & 1 ? "/etc/passwd" : dir, O_RDONLY), got = -1;
    char c = 'f', cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = { &c, 1 };
    struct msghdr mh = { .msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = cbuf,
                         .msg_controllen = sizeof cbuf };
    struct cmsghdr *cm;

    if (fd < 0 || socketpair(AF_UNIX, SOCK_DGRAM, 0, s) < 0)
        die("fdpass setup");
    cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof(int));
    if (sendmsg(s[0], &mh, 0) != 1)
        die("sendmsg");
    /* every other round the passed fd is never received: closed queued */
    if (i & 2) {
        mh.msg_controllen = sizeof cbuf;
        if (recvmsg(s[1], &mh, 0) != 1)
            die("recvmsg");
        cm = CMSG_FIRSTHDR(&mh);
        if (cm && cm->cmsg_type == SCM_RIGHTS)
            memcpy(&got, CMSG_DATA(cm), sizeof(int));
        if (got >= 0)
            close(got);
    }
    close(fd);
    close(s[0]);
    close(s[1]);
}

static void w_fdkinds(int i)
{
    sigset_t ss;
    int fds[6], ep;
    struct epoll_event ev = { .events = EPOLLIN };

    (void)i;
    sigemptyset(&ss);
    sigaddset(&ss, SIGUSR2);
    fds[0] = eventfd(0, EFD_CLOEXEC);
    fds[1] = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
    fds[2] = signalfd(-1, &ss, SFD_CLOEXEC);
    fds[3] = memfd_create("lp", MFD_CLOEXEC);
    fds[4] = open("/etc/passwd", O_PATH);
    fds[5] = dup(fds[4]);
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        die("epoll_create1");
    for (int k = 0; k < 6; k++) {
        if (fds[k] < 0)
            die("fd kinds");
        if (k < 3 && epoll_ctl(ep, EPOLL_CTL_ADD, fds[k], &ev) < 0)
            die("epoll_ctl");
    }
    for (int k = 0; k < 6; k++)
        close(fds[k]);
    close(ep);
}

/* a child blocked in lx (an open of a FIFO on the image with no writer,
 * or an F_SETLKW another process holds) killed there */
static void w_killblocked(int i)
{
    char p[256];
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    int fd = -1, pp[2];
    pid_t pid;
    char c;

    if (pipe(pp) < 0)
        die("pipe");
    if (i & 1) {
        path(p, sizeof p, "fifo");
        if (mkfifo(p, 0644) < 0 && errno != EEXIST)
            die("mkfifo");
    } else {
        path(p, sizeof p, "lock");
        fd = open(p, O_RDWR | O_CREAT, 0644);
        if (fd < 0 || fcntl(fd, F_SETLK, &fl) < 0)
            die("lock");
    }
    pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        int f;

        if (write(pp[1], "x", 1) != 1)
            _exit(1);
        if (i & 1) {
            f = open(p, O_RDONLY);
        } else {
            f = open(p, O_RDWR);
            fcntl(f, F_SETLKW, &fl);
        }
        _exit(f < 0);
    }
    close(pp[1]);
    if (read(pp[0], &c, 1) != 1)
        die("child start");
    close(pp[0]);
    usleep(2000); /* most rounds: the child sleeps in lx */
    kill(pid, SIGKILL);
    reap(pid);
    if (fd >= 0)
        close(fd);
}

static void w_chdir(int i)
{
    char d[256];
    pid_t pid;

    snprintf(d, sizeof d, "%s/cd%d", dir, i % 16);
    mkdir(d, 0755);
    pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        if (chdir(d) < 0 || chroot(".") < 0)
            _exit(1);
        _exit(0);
    }
    reap(pid);
}

static const struct {
    const char *name;
    void (*fn)(int);
} works[] = {
    { "forkexec", w_forkexec }, { "exec", w_exec },
    { "open", w_open },         { "mkrm", w_mkrm },
    { "pipes", w_pipes },       { "unix", w_unix },
    { "shmap", w_shmap },       { "threads", w_threads },
    { "signals", w_signals },   { "killtree", w_killtree },
    { "inotify", w_inotify },   { "locks", w_locks },
    { "sysv", w_sysv },         { "mqueue", w_mqueue },
    { "ptys", w_ptys },         { "fdpass", w_fdpass },
    { "fdkinds", w_fdkinds },   { "killblocked", w_killblocked },
    { "chdir", w_chdir },
};

/* lx's /proc/vmstat (its /proc/meminfo is the host's, as the guest sees) */
static long vmstat(const char *key)
{
    char line[256];
    size_t n = strlen(key);
    long v = -1;
    FILE *f = fopen("/proc/vmstat", "r");

    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, n) && line[n] == ' ')
            v = atol(line + n + 1);
    fclose(f);
    return v;
}

static long first_num(const char *p)
{
    char b[256];
    FILE *f = fopen(p, "r");
    long v = -1;

    if (f) {
        if (fgets(b, sizeof b, f))
            v = atol(b);
        fclose(f);
    }
    return v;
}

static int count_tasks(void)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;

    if (!d)
        return -1;
    while ((e = readdir(d)))
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9')
            n++;
    closedir(d);
    return n;
}

static void report(int batch, const char *ctl)
{
    int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

    sync();
    if (fd >= 0) {
        if (write(fd, "3", 1) != 1)
            perror("drop_caches");
        close(fd);
    }
    printf("batch %d: slab_r=%ld slab_u=%ld free=%ld dentries=%ld "
           "inodes=%ld files=%ld tasks=%d\n",
           batch, vmstat("nr_slab_reclaimable"),
           vmstat("nr_slab_unreclaimable"), vmstat("nr_free_pages"),
           first_num("/proc/sys/fs/dentry-state"),
           first_num("/proc/sys/fs/inode-nr"),
           first_num("/proc/sys/fs/file-nr"), count_tasks());
    fflush(stdout);
    if (ctl) {
        char p[512];
        struct timespec ts = { 0, 5 * 1000 * 1000 };
        int waited = 0;

        snprintf(p, sizeof p, "%s/req.%d", ctl, batch);
        fd = open(p, O_CREAT | O_WRONLY, 0666);
        if (fd < 0)
            die("ctl req");
        close(fd);
        snprintf(p, sizeof p, "%s/ack.%d", ctl, batch);
        /* the harness answers within its poll interval; 60 s is plenty */
        while (access(p, F_OK) < 0 && waited++ < 12000)
            nanosleep(&ts, NULL);
    }
}

int main(int argc, char **argv)
{
    void (*fn)(int) = NULL;
    int rounds, batches;
    struct sigaction sa = { .sa_handler = on_sig };

    if (argc < 5) {
        fprintf(stderr, "usage: leak-probe WORK ROUNDS BATCHES DIR [CTL]\n");
        return 2;
    }
    for (size_t k = 0; k < sizeof works / sizeof works[0]; k++)
        if (!strcmp(argv[1], works[k].name))
            fn = works[k].fn;
    if (!fn) {
        fprintf(stderr, "leak-probe: unknown workload %s\n", argv[1]);
        return 2;
    }
    rounds = atoi(argv[2]);
    batches = atoi(argv[3]);
    dir = argv[4];
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGCHLD, SIG_DFL);
    report(0, argc > 5 ? argv[5] : NULL);
    for (int b = 1; b <= batches; b++) {
        for (int i = 0; i < rounds; i++)
            fn(b * rounds + i);
        report(b, argc > 5 ? argv[5] : NULL);
    }
    printf("leak-probe: done\n");
    return 0;
}
