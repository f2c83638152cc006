/* SPDX-License-Identifier: MIT */
/*
 * Exec aliases: the names under kbox's exec_dir through which the host
 * execs a program kbox prepared (a symlink to the memfd's fd), cached.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "kbox/dispatch.h"
#include "kbox/path.h"

/*
 * Make the alias @name under exec_dir point at "/proc/thread-self/fd/<n>":
 * either "<n>" or "d<n>/<basename>" (so the host's comm and ps show the
 * program's name, as the kernel takes comm from the path's last part).
 */
/*
 * Aliases made so far (exec_dir is ours alone), so a repeated program
 * costs no mkdir + symlink, with when each was last used. A new name
 * takes the least recently used entry, whose alias is removed, if that
 * one is ALIAS_AGE_MIN seconds old: aliases were never removed, and a
 * session running programs of ever new names (mktemp'd scripts, numbered
 * test binaries) left a symlink in kbox's directory for each until kbox
 * exited. The host resolves an alias right after the exec is let go, so
 * one that old is no longer looked up; a name seen again is made afresh.
 * Lookups, creation and removal are under one lock, so an exec never
 * finds its alias gone in between. When every entry is younger (over
 * ALIAS_CACHE / ALIAS_AGE_MIN new names a second), the new alias stays
 * uncached and is left, as all were before.
 */
#define ALIAS_CACHE   256
#define ALIAS_AGE_MIN 2
static struct {
    pthread_mutex_t lock;
    char name[ALIAS_CACHE][64];
    time_t used[ALIAS_CACHE];
} aliases = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Make the alias at @link (its directory "dN/" too): aliases.lock held. */
static int make_alias(char *link, int n)
{
    char target[64];

    for (char *s = link + strlen(kbox_sup.exec_dir) + 1; (s = strchr(s, '/'));
         s++) {
        *s = '\0';
        if (mkdir(link, 0700) && errno != EEXIST)
            return -errno;
        *s = '/';
    }
    /* thread-self: /proc/self/fd is empty once the leader has exited */
    snprintf(target, sizeof(target), "/proc/thread-self/fd/%d", n);
    if (symlink(target, link) && errno != EEXIST)
        return -errno;
    return 0;
}

int kbox_exec_alias(int n, const char *name)
{
    char link[KBOX_PATH_MAX + 300];
    bool cacheable = strlen(name) < sizeof(aliases.name[0]);
    struct timespec ts;
    int victim = 0, rc;

    if (snprintf(link, sizeof(link), "%s/%s", kbox_sup.exec_dir, name) >=
        (int)sizeof(link))
        return -ENAMETOOLONG;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    pthread_mutex_lock(&aliases.lock);
    for (int i = 0; cacheable && i < ALIAS_CACHE; i++) {
        if (!strcmp(aliases.name[i], name)) {
            aliases.used[i] = ts.tv_sec;
            pthread_mutex_unlock(&aliases.lock);
            return 0;
        }
        /* an empty entry, else the least recently used */
        if (aliases.name[victim][0] &&
            (!aliases.name[i][0] || aliases.used[i] < aliases.used[victim]))
            victim = i;
    }
    rc = make_alias(link, n);
    if (!rc && cacheable &&
        (!aliases.name[victim][0] ||
         ts.tv_sec - aliases.used[victim] >= ALIAS_AGE_MIN)) {
        char old[KBOX_PATH_MAX + 300];

        if (aliases.name[victim][0] &&
            snprintf(old, sizeof(old), "%s/%s", kbox_sup.exec_dir,
                     aliases.name[victim]) < (int)sizeof(old))
            unlink(old);
        /* it fits (cacheable); not snprintf, which gcc -O1 warns may
         * truncate (make MODE=debug failed) */
        memcpy(aliases.name[victim], name, strlen(name) + 1);
        aliases.used[victim] = ts.tv_sec;
    }
    pthread_mutex_unlock(&aliases.lock);
    return rc;
}
