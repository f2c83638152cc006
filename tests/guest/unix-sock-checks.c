/* SPDX-License-Identifier: MIT */
/*
 * connect() and sendto() to a unix socket path need write permission on
 * the socket node (Linux's unix_find_bsd, checked before the node's
 * type). kbox connects its own host socket in its private directory, so
 * the host never saw the node's mode: a guest user reached a root
 * daemon's 0600 socket, and a socket chmod'ed 000 took connections.
 * Root binds a stream and a datagram socket in each DIR given, mode
 * 0600; a child that became uid 1000 must get EACCES for both, and for
 * a connect to a file it cannot write, then succeed once the sockets are
 * 0666. Also (addr_edges): a send with an address on a seqpacket socket
 * goes to its peer (Linux ignores the address; kbox looked the path up:
 * ENOENT, data lost) and on a stream socket is EISCONN; a name filling
 * all 108 bytes of sun_path is reported whole, 111 bytes with the NUL
 * (kbox cut it to 107). Usage (as root): unix-sock-checks DIR...
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static socklen_t addr(struct sockaddr_un *sa, const char *dir, const char *n)
{
    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/%s", dir, n);
    return sizeof(*sa);
}

/* In a child as uid 1000: 0 when every expectation held. */
static int as_user(const char *dir, int want)
{
    struct sockaddr_un sa;
    int c, rc, bad = 0;

    if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
        return 1;
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    rc = connect(c, (struct sockaddr *)&sa, addr(&sa, dir, "um-stream.sock"));
    bad |= want ? (rc != -1 || errno != want) : rc != 0;
    printf("  %s: connect stream as 1000: %d %s\n", dir, rc,
           rc ? strerror(errno) : "");
    close(c);
    c = socket(AF_UNIX, SOCK_DGRAM, 0);
    rc = (int)sendto(c, "x", 1, 0, (struct sockaddr *)&sa,
                     addr(&sa, dir, "um-dgram.sock"));
    bad |= want ? (rc != -1 || errno != want) : rc != 1;
    printf("  %s: sendto dgram as 1000: %d %s\n", dir, rc,
           rc < 0 ? strerror(errno) : "");
    rc = connect(c, (struct sockaddr *)&sa, addr(&sa, dir, "um-file"));
    /* a file the user cannot write: EACCES comes before ECONNREFUSED */
    bad |= rc != -1 || errno != EACCES;
    printf("  %s: connect to a 0644 root file as 1000: %d %s\n", dir, rc,
           rc ? strerror(errno) : "");
    close(c);
    fflush(stdout);
    return bad;
}

static int child_says(const char *dir, int want)
{
    int st = 0;
    pid_t p = fork();

    if (p == 0)
        _exit(as_user(dir, want));
    waitpid(p, &st, 0);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void one_dir(const char *dir)
{
    struct sockaddr_un sa;
    int ls, ds, c, fd;
    char path[300];

    ls = socket(AF_UNIX, SOCK_STREAM, 0);
    ds = socket(AF_UNIX, SOCK_DGRAM, 0);
    check(bind(ls, (struct sockaddr *)&sa, addr(&sa, dir, "um-stream.sock")) ==
                  0 &&
              listen(ls, 8) == 0,
          "%s: root binds a stream listener", dir);
    check(bind(ds, (struct sockaddr *)&sa, addr(&sa, dir, "um-dgram.sock")) ==
              0,
          "%s: root binds a datagram socket", dir);
    snprintf(path, sizeof(path), "%s/um-file", dir);
    fd = open(path, O_CREAT | O_WRONLY, 0644);
    close(fd);
    snprintf(path, sizeof(path), "%s/um-stream.sock", dir);
    chmod(path, 0600);
    snprintf(path, sizeof(path), "%s/um-dgram.sock", dir);
    chmod(path, 0600);
    check(child_says(dir, EACCES),
          "%s: uid 1000 gets EACCES from root's 0600 sockets", dir);
    snprintf(path, sizeof(path), "%s/um-stream.sock", dir);
    chmod(path, 0);
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    check(connect(c, (struct sockaddr *)&sa,
                  addr(&sa, dir, "um-stream.sock")) == 0,
          "%s: root connects to a mode 000 socket", dir);
    close(c);
    chmod(path, 0666);
    snprintf(path, sizeof(path), "%s/um-dgram.sock", dir);
    chmod(path, 0666);
    check(child_says(dir, 0), "%s: uid 1000 reaches the 0666 sockets", dir);
    close(ls);
    close(ds);
    unlink(path);
    snprintf(path, sizeof(path), "%s/um-stream.sock", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/um-file", dir);
    unlink(path);
}

static void addr_edges(const char *dir)
{
    struct sockaddr_un sa, got;
    socklen_t l;
    int sv[2], s;
    char b[4] = { 0 }, name[109];

    addr(&sa, dir, "none.sock");
    check(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0 &&
              sendto(sv[0], "q", 1, 0, (struct sockaddr *)&sa, sizeof(sa)) ==
                  1 &&
              recv(sv[1], b, sizeof(b), MSG_DONTWAIT) == 1 && b[0] == 'q',
          "%s: seqpacket sendto with a missing path goes to the peer", dir);
    close(sv[0]);
    close(sv[1]);
    errno = 0;
    check(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 &&
              sendto(sv[0], "q", 1, 0, (struct sockaddr *)&sa, sizeof(sa)) ==
                  -1 &&
              errno == EISCONN,
          "%s: stream sendto with a path: EISCONN", dir);
    close(sv[0]);
    close(sv[1]);
    /* relative to DIR, all 108 bytes used: no NUL in the address. Not
     * in a bind: kbox's host path there (/proc/self/fd/N/name) is longer
     * than sun_path (ENAMETOOLONG, a known gap). */
    if (strncmp(dir, "/mnt/", 5) == 0 || chdir(dir))
        return;
    memset(name, 'N', 108);
    name[108] = 0;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, name, 108);
    s = socket(AF_UNIX, SOCK_STREAM, 0);
    memset(&got, 0, sizeof(got));
    l = sizeof(got);
    check(bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
              getsockname(s, (struct sockaddr *)&got, &l) == 0 && l == 111 &&
              !memcmp(got.sun_path, name, 108),
          "%s: a 108-byte name comes back whole (len %u)", dir, (unsigned)l);
    close(s);
    unlink(name);
    if (chdir("/"))
        return;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 1; i < argc; i++) {
        one_dir(argv[i]);
        addr_edges(argv[i]);
    }
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
