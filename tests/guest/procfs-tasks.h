/* SPDX-License-Identifier: MIT */
/*
 * procfs-fuzz's tasks: the threads and children it makes, ends and
 * looks at through /proc (task/, /proc/<pid> of a child running,
 * stopped or a zombie). Included by procfs-fuzz.c where these stood,
 * after the helpers and state they use; not a header of its own.
 */
static void thread_new(void)
{
    int i = (int)rnd(NTHR);
    struct thr *t = &thr[i];
    char c;

    if (t->live) {
        printf("thread %d: live\n", i);
        return;
    }
    if (pipe2(t->pipe, O_CLOEXEC) || pipe2(t->ready, O_CLOEXEC))
        return;
    t->live = 1;
    pthread_create(&t->t, NULL, thr_main, t);
    if (read(t->ready[0], &c, 1) != 1)
        printf("thread %d: no ready\n", i);
    printf("thread %d new: thread-self=%s stat=%s status=%s\n", i, t->self_link,
           t->stat_pid_ok ? "ok" : "bad", t->status_pid_ok ? "ok" : "bad");
}

static void thread_end(void)
{
    int i = (int)rnd(NTHR);
    struct thr *t = &thr[i];

    if (!t->live) {
        printf("thread %d: none\n", i);
        return;
    }
    if (write(t->pipe[1], "x", 1) != 1)
        return;
    pthread_join(t->t, NULL);
    close(t->pipe[0]);
    close(t->pipe[1]);
    close(t->ready[0]);
    close(t->ready[1]);
    t->live = 0;
    printf("thread %d end\n", i);
}

/* The numeric names of a directory, sorted. */
static int list_nums(const char *path, long *out, int max)
{
    DIR *d = opendir(path);
    struct dirent *e;
    int n = 0;

    if (!d)
        return -errno;
    while ((e = readdir(d)))
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && n < max)
            out[n++] = atol(e->d_name);
    closedir(d);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (out[j] < out[i]) {
                long x = out[i];

                out[i] = out[j];
                out[j] = x;
            }
    return n;
}

static void op_task(void)
{
    long want[NTHR + 1], have[64];
    int nw = 0, nh = 0, tries;
    char path[128], text[4096], v[64];
    struct pstat s;

    want[nw++] = getpid();
    for (int i = 0; i < NTHR; i++)
        if (thr[i].live)
            want[nw++] = thr[i].tid;
    for (int i = 0; i < nw; i++)
        for (int j = i + 1; j < nw; j++)
            if (want[j] < want[i]) {
                long x = want[i];

                want[i] = want[j];
                want[j] = x;
            }
    /* a joined thread may linger a moment, as on Linux */
    for (tries = 0; tries < 200; tries++) {
        nh = list_nums("/proc/self/task", have, 64);
        if (nh == nw && !memcmp(have, want, sizeof(long) * (size_t)nw))
            break;
        usleep(5000);
    }
    printf("task list: %s n=%d\n", tries < 200 ? "ok" : "bad", nh);
    for (int i = 0; i < NTHR; i++) {
        struct thr *t = &thr[i];
        long r;

        if (!t->live)
            continue;
        if (rnd(2)) {
            snprintf(t->name, sizeof t->name, "w%d-%c", i, 'a' + rnd(26));
            pthread_setname_np(t->t, t->name);
        }
        snprintf(path, sizeof path, "/proc/self/task/%d/stat", t->tid);
        r = read_stat(path, &s);
        printf("  thread %d: stat=%s", i, ename(r));
        if (r > 0) {
            /* the state of a thread blocked in read: S (t: tracing) */
            for (tries = 0; tries < 200 && s.f[2][0] != 'S'; tries++) {
                usleep(5000);
                read_stat(path, &s);
            }
            printf(" pid=%s state=%s ppid=%s threads=%s comm=%s",
                   fld(&s, 1) == t->tid ? "ok" : "bad", s.f[2],
                   fld(&s, 4) == getppid() ? "ok" : "bad",
                   fld(&s, 20) == nthreads() ? "ok" : s.f[19],
                   t->name[0] ? (strcmp(s.comm, t->name) ? s.comm : "ok")
                              : "-");
        }
        snprintf(path, sizeof path, "/proc/%d/task/%d/status", getpid(),
                 t->tid);
        r = readf(path, text, sizeof text);
        printf(" status=%s", ename(r));
        if (r > 0) {
            status_get(text, "Pid", v, sizeof v);
            printf(" pid=%s", atol(v) == t->tid ? "ok" : "bad");
            status_get(text, "Tgid", v, sizeof v);
            printf(" tgid=%s", atol(v) == getpid() ? "ok" : "bad");
            status_get(text, "State", v, sizeof v);
            printf(" state=%s", v);
        }
        /* /proc/<tid> works though it is not listed */
        snprintf(path, sizeof path, "/proc/%d/stat", t->tid);
        r = read_stat(path, &s);
        printf(" bytid=%s", r < 0                  ? ename(r)
                            : fld(&s, 1) == t->tid ? "ok"
                                                   : "bad");
        printf("\n");
    }
}

static int kid_ready[2];

static void kid_new(void)
{
    int i = (int)rnd(NKID);
    struct kid *k = &kid[i];
    static const char kinds[] = "STZR";
    char c;
    pid_t p;

    if (k->pid) {
        printf("kid %d: live\n", i);
        return;
    }
    k->kind = kinds[rnd(4)];
    k->own_group = (int)rnd(2);
    k->undumpable = (int)rnd(4) == 0;
    if (pipe2(kid_ready, O_CLOEXEC))
        return;
    p = fork();
    if (p == 0) {
        char name[16];

        if (k->own_group)
            setpgid(0, 0);
        if (k->undumpable)
            prctl(PR_SET_DUMPABLE, 0);
        snprintf(name, sizeof name, "kid-%c", k->kind);
        prctl(PR_SET_NAME, name);
        if (write(kid_ready[1], "r", 1) != 1)
            _exit(1);
        if (k->kind == 'Z')
            _exit(3);
        if (k->kind == 'R')
            for (volatile unsigned long n = 0;; n++)
                ;
        for (;;)
            pause();
    }
    k->pid = p;
    if (read(kid_ready[0], &c, 1) != 1)
        printf("kid %d: no ready\n", i);
    close(kid_ready[0]);
    close(kid_ready[1]);
    if (k->kind == 'T') {
        int st;

        kill(p, SIGSTOP);
        waitpid(p, &st, WUNTRACED);
    } else if (k->kind == 'Z') {
        siginfo_t si;

        waitid(P_PID, (id_t)p, &si, WEXITED | WNOWAIT);
    }
    printf("kid %d new: kind=%c group=%s dumpable=%d\n", i, k->kind,
           k->own_group ? "own" : "ours", !k->undumpable);
}

static void kid_end(void)
{
    int i = (int)rnd(NKID), st;
    struct kid *k = &kid[i];

    if (!k->pid) {
        printf("kid %d: none\n", i);
        return;
    }
    kill(k->pid, SIGKILL);
    waitpid(k->pid, &st, 0);
    printf("kid %d end: %s\n", i,
           WIFEXITED(st)     ? "exited"
           : WIFSIGNALED(st) ? sigabbrev_np(WTERMSIG(st))
                             : "?");
    k->pid = 0;
}

static const char *owner(const struct stat *st)
{
    if (st->st_uid == geteuid() && st->st_gid == getegid())
        return "self";
    if (st->st_uid == 0 && st->st_gid == 0)
        return "root";
    return "other";
}

/* A file of an undumpable kid is root's: "root" also to a root reader,
 * whose "self" it would be (the native reference runs as a user). */
static const char *dump_owner(const struct stat *st, int undumpable)
{
    if (undumpable && st->st_uid == 0 && st->st_gid == 0)
        return "root";
    return owner(st);
}

static void kid_look(void)
{
    int i = (int)rnd(NKID);
    struct kid *k = &kid[i];
    char path[128], buf[4096], v[64], me[4096];
    struct pstat s;
    struct stat st;
    long r, tasks[8];
    int tries;

    if (!k->pid) {
        printf("kid %d: none\n", i);
        return;
    }
    if (known && k->kind == 'Z') {
        printf("kid %d look: a zombie (not in kbox's /proc)\n", i);
        return;
    }
    snprintf(path, sizeof path, "/proc/%d/stat", k->pid);
    r = read_stat(path, &s);
    /* a sleeper may not be in pause() yet */
    for (tries = 0; r > 0 && k->kind == 'S' && s.f[2][0] != 'S' && tries < 400;
         tries++) {
        usleep(5000);
        r = read_stat(path, &s);
    }
    printf("kid %d look: stat=%s", i, ename(r));
    if (r > 0) {
        struct pstat me;

        read_stat("/proc/self/stat", &me);
        printf(" n=%d comm=%s state=%s ppid=%s pgrp=%s sid=%s threads=%s "
               "start=%s",
               s.n, s.comm, s.f[2], fld(&s, 4) == getpid() ? "ok" : "bad",
               fld(&s, 5) == (k->own_group ? k->pid : getpgrp()) ? "ok" : "bad",
               fld(&s, 6) == getsid(0) ? "ok" : "bad", s.f[19],
               fld(&s, 22) >= fld(&me, 22) ? "ok" : "bad");
    }
    snprintf(path, sizeof path, "/proc/%d/status", k->pid);
    r = readf(path, buf, sizeof buf);
    printf(" status=%s", ename(r));
    if (r > 0) {
        status_get(buf, "State", v, sizeof v);
        printf(" state=%s", v);
        status_get(buf, "PPid", v, sizeof v);
        printf(" ppid=%s", atol(v) == getpid() ? "ok" : "bad");
        status_get(buf, "Name", v, sizeof v);
        printf(" name=%s", v);
    }
    snprintf(path, sizeof path, "/proc/%d/cmdline", k->pid);
    r = readf(path, buf, sizeof buf);
    printf(" cmdline=%s", r < 0    ? ename(r)
                          : r == 0 ? "empty"
                          : (size_t)r == (size_t)(argv_hi - argv_lo) &&
                                  !memcmp(buf, argv_lo, (size_t)r)
                              ? "ours"
                              : "other");
    snprintf(path, sizeof path, "/proc/%d/exe", k->pid);
    r = readlink(path, buf, sizeof buf - 1);
    if (r >= 0)
        buf[r] = '\0';
    {
        ssize_t m = readlink("/proc/self/exe", me, sizeof me - 1);

        me[m > 0 ? m : 0] = '\0';
    }
    printf(" exe=%s", r < 0             ? strerrorname_np(errno)
                      : strcmp(buf, me) ? "other"
                                        : "ours");
    snprintf(path, sizeof path, "/proc/%d/cwd", k->pid);
    r = readlink(path, buf, sizeof buf - 1);
    if (r >= 0)
        buf[r] = '\0';
    printf(" cwd=%s", r < 0 ? strerrorname_np(errno) : norm_path(buf));
    snprintf(path, sizeof path, "/proc/%d/task", k->pid);
    r = list_nums(path, tasks, 8);
    printf(" task=%s", r < 0                          ? ename(r)
                       : r == 1 && tasks[0] == k->pid ? "ok"
                                                      : "bad");
    snprintf(path, sizeof path, "/proc/%d", k->pid);
    r = stat(path, &st) ? -errno : 0;
    printf(" dir=%s", r < 0 ? ename(r) : owner(&st));
    snprintf(path, sizeof path, "/proc/%d/environ", k->pid);
    r = stat(path, &st) ? -errno : 0;
    printf(" environ=%s", r < 0 ? ename(r) : dump_owner(&st, k->undumpable));
    r = readf(path, buf, sizeof buf);
    printf(",%s", r < 0 ? ename(r) : r == 0 ? "empty" : "data");
    snprintf(path, sizeof path, "/proc/%d/wchan", k->pid);
    r = readf(path, buf, sizeof buf);
    printf(" wchan=%s", r < 0 ? ename(r) : r == 0 ? "empty" : "data");
    printf("\n");
}
