/* SPDX-License-Identifier: MIT */
/*
 * What the host may execute for the guest. kbox writes an exec's path
 * string over the guest's own (an alias of the program's memfd) and the
 * host's execve reads it again: another thread of the guest rewriting
 * it in between made the host run any host file it named, outside every
 * bind (and load a host PT_INTERP or #! interpreter). A Landlock domain
 * on the guest lets the host open for exec only what kbox hands out:
 * memfds (anonymous files, which Landlock never restricts) and the
 * content cache's entries of this image. Without Landlock it is as
 * before.
 */
#define _GNU_SOURCE
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kbox/cache.h"
#include "kbox/exec.h"
#include "kbox/landlock.h"

int kbox_exec_landlock(void)
{
    struct landlock_ruleset_attr ra = {
        .handled_access_fs = LANDLOCK_ACCESS_FS_EXECUTE,
    };
    struct landlock_path_beneath_attr pb = {
        .allowed_access = LANDLOCK_ACCESS_FS_EXECUTE,
        .parent_fd = kbox_cache_disk_dir(),
    };
    int rs, rc = -1;

    /* restrict_self needs no_new_privs, which the filter sets anyway */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
        return -1;
    rs = (int)syscall(__NR_landlock_create_ruleset, &ra, sizeof(ra), 0);
    if (rs < 0)
        return -1;
    if ((pb.parent_fd < 0 || !syscall(__NR_landlock_add_rule, rs,
                                      LANDLOCK_RULE_PATH_BENEATH, &pb, 0)) &&
        !syscall(__NR_landlock_restrict_self, rs, 0))
        rc = 0;
    close(rs);
    return rc;
}
