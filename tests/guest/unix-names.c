/* SPDX-License-Identifier: MIT */
/*
 * unix-names DIR [LINK]: the unix socket addresses a program is given back, as
 * Linux gives them: getsockname, getpeername, accept's and recvfrom's and
 * recvmsg's address for stream, datagram and seqpacket sockets, names
 * bound by path (absolute and relative to the cwd, up to 108 bytes with
 * no NUL), abstract and autobound names, unnamed senders, the lengths
 * reported (the whole length when the caller's buffer is short),
 * SCM_CREDENTIALS' pid, /proc/net/unix, and the same after fork and
 * exec. DIR is a writable directory (the image's or a bind's); LINK, if
 * given, a symlink to "/". All checks hold natively (run as nobody in a
 * scratch directory).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

#define OFF offsetof(struct sockaddr_un, sun_path)

static char dir[256];

static socklen_t mk(struct sockaddr_un *a, const char *name)
{
    memset(a, 0, sizeof(*a));
    a->sun_family = AF_UNIX;
    char full[sizeof(dir) + 64];

    if (name[0] == '/' && name[1] == '/') /* "//x": DIR/x */
        snprintf(full, sizeof(full), "%s/%s", dir, name + 2);
    else
        snprintf(full, sizeof(full), "%s", name);
    memcpy(a->sun_path, full, sizeof(a->sun_path) - 1);
    return (socklen_t)(OFF + strlen(a->sun_path) + 1);
}

static int sock_at(int type, const char *name)
{
    struct sockaddr_un a;
    socklen_t l = mk(&a, name);
    int s = socket(AF_UNIX, type, 0);

    unlink(a.sun_path);
    if (s < 0 || bind(s, (struct sockaddr *)&a, l))
        return -1;
    if (type != SOCK_DGRAM && listen(s, 8))
        return -1;
    return s;
}

static int conn(int type, int s, const char *name)
{
    struct sockaddr_un a;
    socklen_t l = mk(&a, name);

    if (s < 0)
        s = socket(AF_UNIX, type, 0);
    return connect(s, (struct sockaddr *)&a, l) ? -1 : s;
}

/* Does (@a, @l) name @name with Linux's length? */
static int is(const struct sockaddr_un *a, socklen_t l, const char *name)
{
    struct sockaddr_un w;
    socklen_t wl = mk(&w, name);

    return l == wl && a->sun_family == AF_UNIX &&
           !strncmp(a->sun_path, w.sun_path, sizeof(w.sun_path));
}

static const char *show(const struct sockaddr_un *a, socklen_t l)
{
    static char b[2][160];
    static int k;
    char *o = b[k ^= 1];
    size_t n = l > OFF ? l - OFF : 0;

    if (n > sizeof(a->sun_path))
        n = sizeof(a->sun_path);
    snprintf(o, sizeof(b[0]), "len %u \"", (unsigned)l);
    for (size_t i = 0; i < n && strlen(o) < sizeof(b[0]) - 6; i++) {
        size_t e = strlen(o);

        if (a->sun_path[i] >= ' ' && a->sun_path[i] < 127)
            o[e] = a->sun_path[i], o[e + 1] = '\0';
        else
            snprintf(o + e, sizeof(b[0]) - e, "\\%o",
                     (unsigned char)a->sun_path[i]);
    }
    strcat(o, "\"");
    return o;
}

#define NAMED(call, fd, name, what)                                     \
    do {                                                                \
        struct sockaddr_un a_;                                          \
        socklen_t l_ = sizeof(a_);                                      \
        memset(&a_, 0, sizeof(a_));                                     \
        int rc_ = call(fd, (struct sockaddr *)&a_, &l_);                \
        check(rc_ >= 0 && is(&a_, l_, name), "%s: %s (%s)", what, name, \
              show(&a_, l_));                                           \
    } while (0)

static void unnamed(int rc, socklen_t l, socklen_t want, const char *what)
{
    check(rc >= 0 && l == want, "%s: length %u (%u)", what, (unsigned)want,
          (unsigned)l);
}

static void stream(int type, const char *tag)
{
    char lname[64], cname[64], what[128];
    struct sockaddr_un a;
    socklen_t l;
    int L, c1, c2, s, rc;

    snprintf(lname, sizeof(lname), "//%s-l.sock", tag);
    snprintf(cname, sizeof(cname), "%s-c.sock", tag);
    L = sock_at(type, lname);
    check(L >= 0, "%s: a listener at DIR/%s", tag, lname + 2);
    snprintf(what, sizeof(what), "%s: getsockname of the listener", tag);
    NAMED(getsockname, L, lname, what);

    c1 = conn(type, -1, lname);
    check(c1 >= 0, "%s: an unbound client connects", tag);
    snprintf(what, sizeof(what), "%s: the client's getpeername", tag);
    NAMED(getpeername, c1, lname, what);
    l = sizeof(a);
    s = accept(L, (struct sockaddr *)&a, &l);
    unnamed(s, l, sizeof(sa_family_t), "accept of an unbound client");
    l = sizeof(a);
    rc = getsockname(c1, (struct sockaddr *)&a, &l);
    unnamed(rc, l, sizeof(sa_family_t), "getsockname of the unbound client");
    snprintf(what, sizeof(what), "%s: getsockname of the accepted socket", tag);
    NAMED(getsockname, s, lname, what);
    l = sizeof(a);
    rc = getpeername(s, (struct sockaddr *)&a, &l);
    unnamed(rc, l, sizeof(sa_family_t), "getpeername of the accepted socket");
    if (type == SOCK_SEQPACKET) {
        struct msghdr m = { 0 };
        struct iovec v = { "x", 1 };
        char buf[4];

        send(s, "y", 1, 0);
        v.iov_base = buf;
        m.msg_iov = &v;
        m.msg_iovlen = 1;
        m.msg_name = &a;
        m.msg_namelen = sizeof(a);
        rc = (int)recvmsg(c1, &m, MSG_DONTWAIT);
        check(rc == 1 && is(&a, m.msg_namelen, lname),
              "%s: recvmsg's name on the client: the listener's (%d, %s)", tag,
              rc, show(&a, m.msg_namelen));
    }
    close(s);

    c2 = socket(AF_UNIX, type, 0);
    mk(&a, cname);
    unlink(cname);
    check(bind(c2, (struct sockaddr *)&a, mk(&a, cname)) == 0,
          "%s: a client bound at %s (relative)", tag, cname);
    check(conn(type, c2, lname) == c2, "%s: it connects", tag);
    {
        struct sockaddr_un b;
        socklen_t bl = 5;

        memset(&b, 0x7f, sizeof(b));
        s = accept(L, (struct sockaddr *)&b, &bl);
        check(s >= 0 && bl == mk(&a, cname) && b.sun_path[3] == 0x7f &&
                  !memcmp(b.sun_path, cname, 3),
              "%s: accept with a 5-byte buffer: 3 bytes of %s, length %u "
              "(%u, %.3s)",
              tag, cname, (unsigned)mk(&a, cname), (unsigned)bl, b.sun_path);
    }
    snprintf(what, sizeof(what), "%s: getpeername of the accepted socket", tag);
    NAMED(getpeername, s, cname, what);
    snprintf(what, sizeof(what), "%s: the bound client's getsockname", tag);
    NAMED(getsockname, c2, cname, what);
    if (type == SOCK_SEQPACKET) {
        struct msghdr m = { 0 };
        char buf[4];
        struct iovec v = { buf, sizeof(buf) };

        send(c2, "x", 1, 0);
        m.msg_iov = &v;
        m.msg_iovlen = 1;
        m.msg_name = &a;
        m.msg_namelen = sizeof(a);
        rc = (int)recvmsg(s, &m, MSG_DONTWAIT);
        check(rc == 1 && is(&a, m.msg_namelen, cname),
              "%s: recvmsg's name on the accepted socket: %s (%d, %s)", tag,
              cname, rc, show(&a, m.msg_namelen));
    }
    close(s);
    /* another accept of the same client, through the full buffer */
    close(c2);
    c2 = socket(AF_UNIX, type, 0);
    unlink(cname);
    bind(c2, (struct sockaddr *)&a, mk(&a, cname));
    conn(type, c2, lname);
    {
        struct sockaddr_un b;
        socklen_t bl = sizeof(b);

        memset(&b, 0, sizeof(b));
        s = accept(L, (struct sockaddr *)&b, &bl);
        check(s >= 0 && is(&b, bl, cname),
              "%s: accept's address of the bound client: %s (%s)", tag, cname,
              show(&b, bl));
        close(s);
    }
    close(c1);
    close(c2);
    close(L);
    unlink(cname);
}

static void recv_from(int r, const char *name, const char *what)
{
    struct sockaddr_un a;
    socklen_t l = sizeof(a);
    char buf[8];
    ssize_t n;

    memset(&a, 0, sizeof(a));
    n = recvfrom(r, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&a, &l);
    if (!name) {
        check(n == 1 && l == 0, "%s: recvfrom's length 0 (%zd, %s)", what, n,
              show(&a, l));
        return;
    }
    if (name[0] == '@') { /* an autobound name: "\0" and 5 hex digits */
        check(n == 1 && l == OFF + 6 && !a.sun_path[0] &&
                  strspn(a.sun_path + 1, "0123456789abcdef") == 5,
              "%s: recvfrom names the autobound sender (%s)", what,
              show(&a, l));
        return;
    }
    check(n == 1 && is(&a, l, name), "%s: recvfrom names %s (%s)", what, name,
          show(&a, l));
}

static void dgram(void)
{
    struct sockaddr_un a, to;
    socklen_t tl = mk(&to, "//d-r.sock"), l;
    int r = sock_at(SOCK_DGRAM, "//d-r.sock"), s, on = 1;
    char abs[32];

    check(r >= 0, "dgram: a receiver");
    s = sock_at(SOCK_DGRAM, "d-s.sock");
    sendto(s, "x", 1, 0, (struct sockaddr *)&to, tl);
    recv_from(r, "d-s.sock", "dgram from a bound sender");
    {
        struct msghdr m = { 0 };
        char buf[4];
        struct iovec v = { buf, sizeof(buf) };

        sendto(s, "x", 1, 0, (struct sockaddr *)&to, tl);
        m.msg_iov = &v;
        m.msg_iovlen = 1;
        m.msg_name = &a;
        m.msg_namelen = 7;
        memset(&a, 0x7f, sizeof(a));
        ssize_t n = recvmsg(r, &m, MSG_DONTWAIT);

        check(n == 1 && m.msg_namelen == mk(&to, "d-s.sock") &&
                  !memcmp(a.sun_path, "d-s.s", 5) && a.sun_path[5] == 0x7f,
              "dgram: recvmsg with a 7-byte name: 5 bytes, length %u (%zd, "
              "%u)",
              (unsigned)mk(&to, "d-s.sock"), n, (unsigned)m.msg_namelen);
        tl = mk(&to, "//d-r.sock");
    }
    /* connected sender: the same */
    conn(SOCK_DGRAM, s, "//d-r.sock");
    send(s, "x", 1, 0);
    recv_from(r, "d-s.sock", "dgram from a bound connected sender");
    NAMED(getpeername, s, "//d-r.sock", "dgram: the sender's getpeername");
    close(s);
    unlink("d-s.sock");

    s = socket(AF_UNIX, SOCK_DGRAM, 0);
    sendto(s, "x", 1, 0, (struct sockaddr *)&to, tl);
    recv_from(r, NULL, "dgram from an unbound sender");
    close(s);

    s = socket(AF_UNIX, SOCK_DGRAM, 0);
    setsockopt(s, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on));
    sendto(s, "x", 1, 0, (struct sockaddr *)&to, tl);
    recv_from(r, "@", "dgram from an SO_PASSCRED (autobound) sender");
    l = sizeof(a);
    check(!getsockname(s, (struct sockaddr *)&a, &l) && l == OFF + 6 &&
              !a.sun_path[0],
          "its getsockname: the autobound name (%s)", show(&a, l));
    close(s);

    /* an abstract name of our choosing, exactly its length */
    s = socket(AF_UNIX, SOCK_DGRAM, 0);
    memset(&a, 0, sizeof(a));
    a.sun_family = AF_UNIX;
    snprintf(abs, sizeof(abs), "kbx-abs-%d", (int)getpid());
    memcpy(a.sun_path + 1, abs, strlen(abs));
    l = (socklen_t)(OFF + 1 + strlen(abs));
    check(bind(s, (struct sockaddr *)&a, l) == 0, "an abstract name");
    sendto(s, "x", 1, 0, (struct sockaddr *)&to, tl);
    {
        struct sockaddr_un g;
        socklen_t gl = sizeof(g);
        char buf[4];

        memset(&g, 0, sizeof(g));
        check(recvfrom(r, buf, 4, MSG_DONTWAIT, (struct sockaddr *)&g, &gl) ==
                      1 &&
                  gl == l && !memcmp(&g, &a, l),
              "dgram: recvfrom names the abstract sender (%s)", show(&g, gl));
        gl = sizeof(g);
        check(!getsockname(s, (struct sockaddr *)&g, &gl) && gl == l &&
                  !memcmp(&g, &a, l),
              "its getsockname: exactly its length (%s)", show(&g, gl));
    }
    close(s);
    close(r);
}

static void long_names(void)
{
    for (int len = 107; len <= 108; len++) {
        struct sockaddr_un a, g;
        socklen_t gl = sizeof(g);
        int s = socket(AF_UNIX, SOCK_DGRAM, 0);
        char name[110];

        memset(name, 'n', sizeof(name));
        name[len] = '\0';
        unlink(name);
        memset(&a, 0, sizeof(a));
        a.sun_family = AF_UNIX;
        memcpy(a.sun_path, name, (size_t)len);
        check(bind(s, (struct sockaddr *)&a,
                   (socklen_t)(OFF + (size_t)len + (len < 108))) == 0,
              "a %d-byte relative name%s", len, len == 108 ? " (no NUL)" : "");
        gl = sizeof(g);
        memset(&g, 0, sizeof(g));
        check(!getsockname(s, (struct sockaddr *)&g, &gl) &&
                  gl == OFF + (size_t)len + 1 &&
                  !memcmp(g.sun_path, name, (size_t)len),
              "its getsockname: length %zu (%u)", OFF + (size_t)len + 1,
              (unsigned)gl);
        gl = 4;
        memset(&g, 0x7f, sizeof(g));
        check(!getsockname(s, (struct sockaddr *)&g, &gl) &&
                  gl == OFF + (size_t)len + 1 && g.sun_path[0] == 'n' &&
                  g.sun_path[2] == 0x7f,
              "with a 4-byte buffer: 2 bytes, length %zu (%u)",
              OFF + (size_t)len + 1, (unsigned)gl);
        {
            int t = socket(AF_UNIX, SOCK_DGRAM, 0);
            char c = 0;

            check(sendto(t, "L", 1, 0, (struct sockaddr *)&a,
                         (socklen_t)(OFF + (size_t)len)) == 1 &&
                      recv(s, &c, 1, MSG_DONTWAIT) == 1 && c == 'L',
                  "a datagram sent to it arrives");
            close(t);
        }
        close(s);
        unlink(name);
    }
}

/* One socket bound, 1100 bound and closed since: still its own name. */
static void displaced(void)
{
    int s = sock_at(SOCK_DGRAM, "//first.sock");

    for (int i = 0; i < 1100; i++) {
        char n[32];
        int t = sock_at(SOCK_DGRAM, (snprintf(n, sizeof(n), "x%d", i), n));

        close(t);
        unlink(n);
    }
    NAMED(getsockname, s, "//first.sock",
          "getsockname after 1100 newer bindings");
    close(s);
    unlink("first.sock");
}

static void creds(void)
{
    int sv[2], on = 1;
    char buf[4], cb[CMSG_SPACE(sizeof(struct ucred))];
    struct iovec v = { buf, sizeof(buf) };
    struct msghdr m = { 0 };
    struct cmsghdr *c;
    pid_t kid;

    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on));
    kid = fork();
    if (kid == 0) {
        send(sv[1], "x", 1, 0);
        _exit(0);
    }
    m.msg_iov = &v;
    m.msg_iovlen = 1;
    m.msg_control = cb;
    m.msg_controllen = sizeof(cb);
    recvmsg(sv[0], &m, 0);
    waitpid(kid, NULL, 0);
    c = CMSG_FIRSTHDR(&m);
    check(c && c->cmsg_type == SCM_CREDENTIALS &&
              ((struct ucred *)CMSG_DATA(c))->pid == kid,
          "SCM_CREDENTIALS names the sending child %d (%d)", (int)kid,
          c ? (int)((struct ucred *)CMSG_DATA(c))->pid : -1);
    close(sv[0]);
    close(sv[1]);
}

static void proc_net_unix(void)
{
    int s = sock_at(SOCK_STREAM, "//p.sock");
    char want[300], line[512];
    FILE *f = fopen("/proc/net/unix", "r");
    int mine = 0, private = 0;

    snprintf(want, sizeof(want), " %s/p.sock\n", dir);
    while (f && fgets(line, sizeof(line), f)) {
        size_t n = strlen(line), w = strlen(want);

        if (n >= w && !strcmp(line + n - w, want))
            mine++;
        if (strstr(line, "/kbox-") && strstr(line, "/s-"))
        private++;
    }
    if (f)
        fclose(f);
    check(mine == 1, "/proc/net/unix lists DIR/p.sock once (%d)", mine);
    check(private == 0, "and no name in kbox's directory (%d)", private);
    close(s);
    unlink("p.sock");
}

/* After fork and exec: the inherited socket's name. */
static void inherited(const char *self)
{
    int s = sock_at(SOCK_STREAM, "//inh.sock"), st = -1;
    pid_t kid = fork();

    if (kid == 0) {
        char fd[16];

        NAMED(getsockname, s, "//inh.sock", "in a forked child");
        fflush(stdout);
        snprintf(fd, sizeof(fd), "%d", s);
        execl(self, self, dir, "--exec", fd, (char *)NULL);
        _exit(99);
    }
    waitpid(kid, &st, 0);
    check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child's checks passed");
    close(s);
    unlink("inh.sock");
}

/*
 * @up is a symlink to "/" (in a bind: `-b D:/mnt`, /mnt/up -> ".."): a
 * socket bound through it is bound at the path it leads to, and
 * getsockname names it as given. kbox said EXDEV for the bind (and the
 * connect) as lx's walk reached the bind.
 */
static void through_link(const char *up)
{
    char via[200], real[200];
    int s, c;
    struct stat st;

    snprintf(via, sizeof(via), "%s/tmp/unix-names-%d.sock", up, (int)getpid());
    snprintf(real, sizeof(real), "/tmp/unix-names-%d.sock", (int)getpid());
    s = sock_at(SOCK_STREAM, via);
    check(s >= 0, "bind and listen at %s", via);
    NAMED(getsockname, s, via, "its getsockname: as given");
    check(stat(real, &st) == 0 && S_ISSOCK(st.st_mode), "the node is %s", real);
    c = conn(SOCK_STREAM, -1, real);
    check(c >= 0, "a connect to %s reaches it", real);
    close(c);
    c = conn(SOCK_STREAM, -1, via);
    check(c >= 0, "and one through the link");
    close(c);
    close(s);
    unlink(real);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 2 || chdir(argv[1]) || !getcwd(dir, sizeof(dir))) {
        printf("FAIL - usage: unix-names DIR [LINK]\n");
        return 2;
    }
    if (argc == 4 && !strcmp(argv[2], "--exec")) {
        NAMED(getsockname, atoi(argv[3]), "//inh.sock", "after exec");
        return n_fail ? 1 : 0;
    }
    if (argc == 3)
        through_link(argv[2]);
    stream(SOCK_STREAM, "st");
    stream(SOCK_SEQPACKET, "sq");
    dgram();
    long_names();
    displaced();
    creds();
    proc_net_unix();
    inherited(argv[0]);
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
