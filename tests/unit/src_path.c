/* SPDX-License-Identifier: MIT */
/* Unit tests: lexical path normalisation and routing. */
#define KTEST_IMPLEMENTATION
#include "ktest.h"

#include <stdio.h>
#include <string.h>

#include "kbox/cli.h"
#include "kbox/path.h"

static const char *norm(const char *in, bool keep, bool *esc)
{
    static char buf[KBOX_PATH_MAX];

    if (kbox_path_normalize(in, buf, sizeof(buf), keep, esc) < 0)
        return "(overflow)";
    return buf;
}

KTEST(normalize_absolute)
{
    bool e;

    KT_STREQ(norm("/", false, &e), "/");
    KT_STREQ(norm("//", false, &e), "/");
    KT_STREQ(norm("/a//b/./c", false, &e), "/a/b/c");
    KT_STREQ(norm("/a/b/../c", false, &e), "/a/c");
    KT_STREQ(norm("/..", false, &e), "/");
    KT_STREQ(norm("/../../etc/passwd", false, &e), "/etc/passwd");
    KT_EQ(e, 0);
    KT_STREQ(norm("/a/b/../../..", false, &e), "/");
    KT_STREQ(norm("/a/b/", false, &e), "/a/b");
    KT_STREQ(norm("/a/b/", true, &e), "/a/b/");
    KT_STREQ(norm("/a/b/.", true, &e), "/a/b");
    KT_STREQ(norm("/...", false, &e), "/...");
    KT_STREQ(norm("/..a/b..", false, &e), "/..a/b..");
}

KTEST(normalize_relative)
{
    bool e;

    KT_STREQ(norm("a/b", false, &e), "a/b");
    KT_EQ(e, 0);
    KT_STREQ(norm("./a/./b/", false, &e), "a/b");
    KT_STREQ(norm("a/..", false, &e), ".");
    KT_STREQ(norm("", false, &e), ".");
    KT_STREQ(norm("..", false, &e), "..");
    KT_EQ(e, 1);
    KT_STREQ(norm("a/../../b", false, &e), "../b");
    KT_EQ(e, 1);
    KT_STREQ(norm("../a/..", false, &e), "..");
    KT_STREQ(norm("../../x", false, &e), "../../x");
    KT_EQ(e, 1);
    KT_STREQ(norm("a/b/../../c", false, &e), "c");
    KT_EQ(e, 0);
}

KTEST(normalize_overflow)
{
    char small[4];

    KT_EQ(kbox_path_normalize("/abcdef", small, sizeof(small), false, NULL),
          -1);
    KT_EQ(kbox_path_normalize("/ab", small, sizeof(small), false, NULL), 3);
}

KTEST(join)
{
    char out[KBOX_PATH_MAX];

    KT_ASSERT(kbox_path_join("/home/u", "../x", out, sizeof(out)) > 0);
    KT_STREQ(out, "/home/x");
    KT_ASSERT(kbox_path_join("/home/u", "/abs/./p", out, sizeof(out)) > 0);
    KT_STREQ(out, "/abs/p");
    KT_ASSERT(kbox_path_join("/", "../../..", out, sizeof(out)) > 0);
    KT_STREQ(out, "/");
}

KTEST(beneath)
{
    const char *rest;

    KT_ASSERT(kbox_path_beneath("/mnt/x", "/mnt", &rest));
    KT_STREQ(rest, "x");
    KT_ASSERT(kbox_path_beneath("/mnt", "/mnt", &rest));
    KT_STREQ(rest, "");
    KT_ASSERT(!kbox_path_beneath("/mntx", "/mnt", &rest));
    KT_ASSERT(!kbox_path_beneath("/mn", "/mnt", &rest));
    KT_ASSERT(kbox_path_beneath("/a/b", "/", &rest));
    KT_STREQ(rest, "a/b");
}

KTEST(route)
{
    struct kbox_bind b[2] = {
        { "/host/data", "/data", NULL },
        { "/host/deep", "/data/deep", NULL },
    };
    struct kbox_route_result r;

    r = kbox_path_route("/etc/passwd", b, 2, true);
    KT_EQ(r.route, KBOX_ROUTE_LX);
    r = kbox_path_route("/data/file", b, 2, true);
    KT_EQ(r.route, KBOX_ROUTE_BIND);
    KT_EQ(r.bind_index, 0);
    KT_STREQ(r.rest, "file");
    r = kbox_path_route("/data/deep/f", b, 2, true);
    KT_EQ(r.bind_index, 1);
    KT_STREQ(r.rest, "f");
    r = kbox_path_route("/database", b, 2, true);
    KT_EQ(r.route, KBOX_ROUTE_LX);
    r = kbox_path_route("/dev/null", b, 2, true);
    KT_EQ(r.route, KBOX_ROUTE_HOSTDEV);
    KT_STREQ(r.rest, "null");
    r = kbox_path_route("/dev/null", b, 2, false);
    KT_EQ(r.route, KBOX_ROUTE_LX);
    r = kbox_path_route("/dev/sda", b, 2, true);
    KT_EQ(r.route, KBOX_ROUTE_LX);
    r = kbox_path_route("/dev/pts/3", b, 2, true);
    KT_EQ(r.route, KBOX_ROUTE_HOSTDEV);
    r = kbox_path_route("/dev/pts/../sda", b, 2, true);
    KT_EQ(r.route, KBOX_ROUTE_LX); /* callers normalise first */
    /* the host's /dev/pts itself and all in it */
    r = kbox_path_route("/dev/pts", b, 2, true);
    KT_EQ(r.route, KBOX_ROUTE_HOSTDEV);
    KT_STREQ(r.rest, "pts");
    r = kbox_path_route("/dev/pts/ptmx", b, 2, true);
    KT_EQ(r.route, KBOX_ROUTE_HOSTDEV);
    r = kbox_path_route("/dev/pts/3/x", b, 2, true);
    KT_EQ(r.route, KBOX_ROUTE_HOSTDEV);
    {
        /* two binds on one place: the later covers the earlier */
        struct kbox_bind two[2] = {
            { "/host/a", "/data", NULL },
            { "/host/b", "/data", NULL },
        };

        r = kbox_path_route("/data/f", two, 2, false);
        KT_EQ(r.bind_index, 1);
        r = kbox_path_route("/data", two, 2, false);
        KT_EQ(r.bind_index, 1);
    }
    r = kbox_path_route("/dev/ptsx", b, 2, true);
    KT_EQ(r.route, KBOX_ROUTE_LX);
}

KTEST(machine_entries)
{
    int where = 0;

    KT_STREQ(kbox_path_machine("/proc/cpuinfo", &where), "cpuinfo");
    KT_EQ(where, KBOX_MACHINE_PROC);
    KT_STREQ(kbox_path_machine("/proc/meminfo", &where), "meminfo");
    KT_STREQ(kbox_path_machine("/proc/stat", &where), "stat");
    KT_STREQ(kbox_path_machine("/proc/uptime", &where), "uptime");
    KT_STREQ(kbox_path_machine("/proc/loadavg", &where), "loadavg");
    KT_STREQ(kbox_path_machine("/sys/devices/system/cpu", &where), ".");
    KT_EQ(where, KBOX_MACHINE_CPU);
    KT_STREQ(kbox_path_machine("/sys/devices/system/cpu/online", &where),
             "online");
    KT_STREQ(
        kbox_path_machine("/sys/devices/system/cpu/cpu1/topology/x", &where),
        "cpu1/topology/x");
    KT_STREQ(kbox_path_machine("/proc/net", &where), "net");
    KT_EQ(where, KBOX_MACHINE_PROC);
    KT_STREQ(kbox_path_machine("/proc/net/tcp", &where), "net/tcp");
    KT_ASSERT(kbox_path_machine("/proc/network", &where) == NULL);
    /* the network's settings are the host's too */
    KT_STREQ(kbox_path_machine("/proc/sys/net", &where), "sys/net");
    KT_EQ(where, KBOX_MACHINE_PROC);
    KT_STREQ(kbox_path_machine("/proc/sys/net/ipv4/ip_forward", &where),
             "sys/net/ipv4/ip_forward");
    KT_ASSERT(kbox_path_machine("/proc/sys/kernel/hostname", &where) == NULL);
    KT_ASSERT(kbox_path_machine("/proc/sys/netx", &where) == NULL);
    /* a process's own stat, the kernel's state, look-alikes: not these */
    KT_ASSERT(kbox_path_machine("/proc/self/stat", &where) == NULL);
    KT_ASSERT(kbox_path_machine("/proc/1/stat", &where) == NULL);
    KT_ASSERT(kbox_path_machine("/proc/mounts", &where) == NULL);
    KT_ASSERT(kbox_path_machine("/proc/stat/x", &where) == NULL);
    KT_ASSERT(kbox_path_machine("/proc/statx", &where) == NULL);
    KT_ASSERT(kbox_path_machine("/proc", &where) == NULL);
    KT_ASSERT(kbox_path_machine("/sys/devices/system/cpux", &where) == NULL);
    KT_ASSERT(kbox_path_machine("/sys/devices/system", &where) == NULL);
    KT_ASSERT(kbox_path_machine("/etc/cpuinfo", &where) == NULL);
}

KTEST(proc_private_entries)
{
    KT_ASSERT(kbox_path_proc_private("123/environ"));
    KT_ASSERT(kbox_path_proc_private("123/maps"));
    KT_ASSERT(kbox_path_proc_private("123/fd"));
    KT_ASSERT(kbox_path_proc_private("123/fd/4"));
    KT_ASSERT(kbox_path_proc_private("123/task/124/environ"));
    KT_ASSERT(kbox_path_proc_private("123/task/124/fdinfo/1"));
    KT_ASSERT(!kbox_path_proc_private("123/status"));
    KT_ASSERT(!kbox_path_proc_private("123/cmdline"));
    KT_ASSERT(!kbox_path_proc_private("123/stat"));
    KT_ASSERT(!kbox_path_proc_private("123/task"));
    KT_ASSERT(!kbox_path_proc_private("123/task/124"));
    KT_ASSERT(!kbox_path_proc_private("123/task/124/comm"));
    KT_ASSERT(!kbox_path_proc_private("123/environx"));
    KT_ASSERT(!kbox_path_proc_private("123/fdx"));
    KT_ASSERT(!kbox_path_proc_private("environ"));
    KT_ASSERT(!kbox_path_proc_private("x/environ"));
}

KTEST(proc_split_host_entries)
{
    char out[128];
    long pid = -1;

    /* process entries of the running program: the host's /proc */
    KT_EQ(kbox_path_proc_split("/proc/self/maps", 100, 101, out, sizeof(out),
                               &pid),
          KBOX_PROC_HOST);
    KT_STREQ(out, "100/maps");
    KT_EQ(pid, 100);
    KT_EQ(kbox_path_proc_split("/proc/4321/cmdline", 100, 100, out, sizeof(out),
                               &pid),
          KBOX_PROC_HOST);
    KT_STREQ(out, "4321/cmdline");
    KT_EQ(pid, 4321);
    KT_EQ(kbox_path_proc_split("/proc/thread-self/stat", 100, 105, out,
                               sizeof(out), &pid),
          KBOX_PROC_HOST);
    KT_STREQ(out, "100/task/105/stat");
    KT_EQ(kbox_path_proc_split("/proc/self/task", 100, 100, out, sizeof(out),
                               &pid),
          KBOX_PROC_HOST);
    KT_STREQ(out, "100/task");
    KT_EQ(kbox_path_proc_split("/proc/self/task/107", 100, 100, out,
                               sizeof(out), &pid),
          KBOX_PROC_HOST);
    KT_STREQ(out, "100/task/107");
    KT_EQ(kbox_path_proc_split("/proc/200/task/201/status", 100, 100, out,
                               sizeof(out), &pid),
          KBOX_PROC_HOST);
    KT_STREQ(out, "200/task/201/status");
    KT_EQ(pid, 200);
    /* a thread's children (pstree, kbox's own fork matching) */
    KT_EQ(kbox_path_proc_split("/proc/self/task/100/children", 100, 100, out,
                               sizeof(out), &pid),
          KBOX_PROC_HOST);
    KT_STREQ(out, "100/task/100/children");
    /* a process's network is the host's, as /proc/net */
    KT_EQ(kbox_path_proc_split("/proc/self/net/unix", 100, 100, out,
                               sizeof(out), &pid),
          KBOX_PROC_HOST);
    KT_STREQ(out, "100/net/unix");
    KT_EQ(kbox_path_proc_split("/proc/thread-self/net", 100, 105, out,
                               sizeof(out), &pid),
          KBOX_PROC_HOST);
    KT_STREQ(out, "100/task/105/net");
}

KTEST(proc_split_kernel_entries)
{
    char out[128];
    long pid = -1;

    /* kernel-side state stays with lx, untouched */
    KT_EQ(kbox_path_proc_split("/proc/self/fd/3", 100, 100, out, sizeof(out),
                               &pid),
          KBOX_PROC_NONE);
    KT_EQ(kbox_path_proc_split("/proc/self/mountinfo", 100, 100, out,
                               sizeof(out), &pid),
          KBOX_PROC_NONE);
    KT_EQ(kbox_path_proc_split("/proc/300", 100, 100, out, sizeof(out), &pid),
          KBOX_PROC_NONE);
    KT_EQ(kbox_path_proc_split("/proc/self", 100, 100, out, sizeof(out), &pid),
          KBOX_PROC_NONE);
    KT_EQ(
        kbox_path_proc_split("/proc/meminfo", 100, 100, out, sizeof(out), &pid),
        KBOX_PROC_NONE);
    KT_EQ(kbox_path_proc_split("/proc/self/statfoo", 100, 100, out, sizeof(out),
                               &pid),
          KBOX_PROC_NONE);
    KT_EQ(
        kbox_path_proc_split("/proc/0/maps", 100, 100, out, sizeof(out), &pid),
        KBOX_PROC_NONE);
    KT_EQ(kbox_path_proc_split("/proc/12x/maps", 100, 100, out, sizeof(out),
                               &pid),
          KBOX_PROC_NONE);
    /* a thread's kernel-side entries are its process's (one lx task) */
    KT_EQ(kbox_path_proc_split("/proc/self/task/107/fd/4", 100, 100, out,
                               sizeof(out), &pid),
          KBOX_PROC_KERNEL);
    KT_STREQ(out, "/proc/self/fd/4");
    KT_EQ(kbox_path_proc_split("/proc/thread-self/cwd", 100, 105, out,
                               sizeof(out), &pid),
          KBOX_PROC_KERNEL);
    KT_STREQ(out, "/proc/self/cwd");
    KT_EQ(kbox_path_proc_split("/proc/200/task/201/fd", 100, 100, out,
                               sizeof(out), &pid),
          KBOX_PROC_KERNEL);
    KT_STREQ(out, "/proc/200/fd");
    /* too small for the answer */
    KT_EQ(kbox_path_proc_split("/proc/self/maps", 100, 100, out, 5, &pid), -1);
}

KTEST(proc_pid_prefix)
{
    long pid = -1;

    KT_STREQ(kbox_path_proc_pid("/proc/self/fd/3", &pid), "fd/3");
    KT_EQ(pid, 0);
    KT_STREQ(kbox_path_proc_pid("/proc/thread-self/root", &pid), "root");
    KT_EQ(pid, 0);
    KT_STREQ(kbox_path_proc_pid("/proc/1234/cwd", &pid), "cwd");
    KT_EQ(pid, 1234);
    KT_ASSERT(kbox_path_proc_pid("/proc/1234", &pid) == NULL);
    KT_ASSERT(kbox_path_proc_pid("/proc/12a/cwd", &pid) == NULL);
    KT_ASSERT(kbox_path_proc_pid("/proc//cwd", &pid) == NULL);
    KT_ASSERT(kbox_path_proc_pid("/proc/selfish/x", &pid) == NULL);
    KT_ASSERT(kbox_path_proc_pid("/procs/self/x", &pid) == NULL);
    KT_ASSERT(kbox_path_proc_pid("/proc/99999999999999999999/x", &pid) == NULL);
}

KTEST(proc_fd_entries)
{
    long pid = -1, task = -1;
    int n = -2;

    KT_EQ(kbox_path_proc_fd("/proc/self/fd", 100, 101, &pid, &task, &n),
          KBOX_PROC_FD);
    KT_EQ(pid, 100);
    KT_EQ(task, 0);
    KT_EQ(n, -1);
    KT_EQ(kbox_path_proc_fd("/proc/self/fd/0", 100, 101, &pid, &task, &n),
          KBOX_PROC_FD);
    KT_EQ(n, 0);
    KT_EQ(kbox_path_proc_fd("/proc/4321/fdinfo/17", 100, 101, &pid, &task, &n),
          KBOX_PROC_FDINFO);
    KT_EQ(pid, 4321);
    KT_EQ(n, 17);
    KT_EQ(
        kbox_path_proc_fd("/proc/thread-self/fd/3", 100, 105, &pid, &task, &n),
        KBOX_PROC_FD);
    KT_EQ(pid, 100);
    KT_EQ(task, 105);
    KT_EQ(n, 3);
    KT_EQ(kbox_path_proc_fd("/proc/200/task/201/fdinfo", 100, 101, &pid, &task,
                            &n),
          KBOX_PROC_FDINFO);
    KT_EQ(pid, 200);
    KT_EQ(task, 201);
    KT_EQ(n, -1);
    KT_EQ(kbox_path_proc_fd("/proc/self/fd/2147483647", 1, 1, &pid, &task, &n),
          KBOX_PROC_FD);
    KT_EQ(n, 2147483647);
    /* not an fd entry, or not a number the kernel's /proc would take */
    KT_EQ(kbox_path_proc_fd("/proc/self/fd/2147483648", 1, 1, &pid, &task, &n),
          KBOX_PROC_FD_NONE);
    KT_EQ(kbox_path_proc_fd("/proc/self/fd/03", 1, 1, &pid, &task, &n),
          KBOX_PROC_FD_NONE);
    KT_EQ(kbox_path_proc_fd("/proc/self/fd/3x", 1, 1, &pid, &task, &n),
          KBOX_PROC_FD_NONE);
    KT_EQ(kbox_path_proc_fd("/proc/self/fd/3/x", 1, 1, &pid, &task, &n),
          KBOX_PROC_FD_NONE);
    KT_EQ(kbox_path_proc_fd("/proc/self/fdx", 1, 1, &pid, &task, &n),
          KBOX_PROC_FD_NONE);
    KT_EQ(kbox_path_proc_fd("/proc/self/status", 1, 1, &pid, &task, &n),
          KBOX_PROC_FD_NONE);
    KT_EQ(kbox_path_proc_fd("/proc/self", 1, 1, &pid, &task, &n),
          KBOX_PROC_FD_NONE);
    KT_EQ(kbox_path_proc_fd("/proc/0/fd", 1, 1, &pid, &task, &n),
          KBOX_PROC_FD_NONE);
    KT_EQ(kbox_path_proc_fd("/proc/self/task/fd", 1, 1, &pid, &task, &n),
          KBOX_PROC_FD_NONE);
    KT_EQ(kbox_path_proc_fd("/etc/fd/3", 1, 1, &pid, &task, &n),
          KBOX_PROC_FD_NONE);
}

static const char *parent(const char *norm, const char *rest, const char *base,
                          int want)
{
    static char buf[64];
    int rc = kbox_path_place_parent(norm, rest, base, buf, sizeof(buf));

    if (rc < 0)
        return "(error)";
    return rc == want ? buf : "(wrong kind)";
}

KTEST(place_parent)
{
    KT_STREQ(parent("/mnt/x/b/f", "f", NULL, 0), "/mnt/x");
    KT_STREQ(parent("/mnt/x/b", "", NULL, 0), "/mnt/x");
    KT_STREQ(parent("/b/sub/f", "sub/f", NULL, 0), "/");
    KT_STREQ(parent("/b", "", NULL, 0), "/");
    /* from a cwd or dirfd: relative when the parent lies beneath it */
    KT_STREQ(parent("/mnt/x/b/f", "f", "/mnt/x", 1), ".");
    KT_STREQ(parent("/mnt/x/b/f", "f", "/mnt/x/", 1), ".");
    KT_STREQ(parent("/mnt/x/b/f", "f", "/mnt", 1), "x");
    KT_STREQ(parent("/mnt/x/b/f", "f", "/", 1), "mnt/x");
    KT_STREQ(parent("/b/f", "f", "/", 1), ".");
    /* not beneath it ("../x/b" from /mnt/y), or a mere prefix: up by
     * "..", never through the directories above both */
    KT_STREQ(parent("/mnt/x/b/f", "f", "/mnt/y", 1), "../x");
    KT_STREQ(parent("/mnt/xy/b/f", "f", "/mnt/x", 1), "../xy");
    KT_STREQ(parent("/mnt/x/b", "", "/mnt/x/b", 1), "..");
    KT_STREQ(parent("/mnt/x/b", "", "/mnt/x/q/r/", 1), "../..");
    KT_STREQ(parent("/b/f", "f", "/mnt/x", 1), "../..");
    KT_STREQ(parent("/mnt/x/b", "", "/usr/lib", 1), "../../mnt/x");
    /* @rest not the end of @norm */
    KT_STREQ(parent("/mnt/x/b/f", "g", NULL, 0), "(error)");
    KT_STREQ(parent("/mnt/x/bf", "f", NULL, 0), "(error)");
    KT_STREQ(parent("rel/b", "", NULL, 0), "(error)");
    /* too long for @out */
    KT_STREQ(parent("/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                    "aaaaaaaaaaa/b",
                    "", NULL, 0),
             "(error)");
}

/* kbox_walk with links from a table, read as lookup.c and routebind.c
 * read theirs: the link-free end, or the error as "(-N)". */
static const char *walk(const char *base, const char *path)
{
    static const char *links[][2] = {
        { "/a/abs", "/x/y" },  { "/a/rel", "b/c" },
        { "/a/up", "../z" },   { "/loop", "/loop" },
        { "/x/y/dot", "./." }, { "/s", "/a/b/c/d/e/f/g/h" },
    };
    static char out[KBOX_PATH_MAX];
    static struct kbox_walk w;
    int step;

    if (kbox_walk_init(&w, base, path))
        return "(init)";
    while ((step = kbox_walk_next(&w)) > 0) {
        const char *target = NULL;

        for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
            if (!strcmp(links[i][0], w.cand))
                target = links[i][1];
        if (!target) {
            kbox_walk_step(&w);
            continue;
        }
        step = kbox_walk_link(&w, target);
        if (step < 0)
            break;
    }
    if (step < 0)
        snprintf(out, sizeof(out), "(%d)", step);
    else
        snprintf(out, sizeof(out), "%s", w.cur[0] ? w.cur : "/");
    return out;
}

KTEST(walk_links)
{
    char big[KBOX_PATH_MAX];

    KT_STREQ(walk("", "/"), "/");
    KT_STREQ(walk("", "/a/./b//c/"), "/a/b/c");
    KT_STREQ(walk("/a", "b/../../c"), "/c");
    KT_STREQ(walk("", "/.."), "/");
    /* a link's target, then what followed it */
    KT_STREQ(walk("", "/a/abs/f"), "/x/y/f");
    KT_STREQ(walk("", "/a/rel/f"), "/a/b/c/f");
    /* ".." after a link goes up from its target, not the text's */
    KT_STREQ(walk("", "/a/abs/.."), "/x");
    KT_STREQ(walk("", "/a/up/f"), "/z/f");
    KT_STREQ(walk("", "/a/abs/dot/g"), "/x/y/g");
    /* past 40 links */
    KT_STREQ(walk("", "/loop/f"), "(-40)");
    /* too long to join, or once a link's longer target is spliced in */
    memset(big, 'n', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    KT_STREQ(walk("", big), "(init)");
    memcpy(big, "/s/", 3);
    big[4085] = '\0';
    KT_STREQ(walk("", big), "(-36)");
}

int main(int argc, char **argv)
{
    return ktest_main(argc, argv);
}
