/* SPDX-License-Identifier: MIT */
/* Unit tests: command-line parsing. */
#define KTEST_IMPLEMENTATION
#include "ktest.h"

#include <sys/mount.h>

#include "kbox/cli.h"

static char errbuf[512];
static struct kbox_opts o;

static char *saved[64];

static int parse(char **in)
{
    char **argv = saved;
    int argc = 0;
    FILE *devnull = fopen("/dev/null", "w");
    int rc;

    while (in[argc] && argc < 63) {
        saved[argc] = in[argc];
        argc++;
    }
    saved[argc] = NULL;
    rc = kbox_cli_parse(argc, argv, &o, devnull, errbuf, sizeof(errbuf));
    fclose(devnull);
    return rc;
}

#define ARGV(...) ((char *[]){ "kbox", __VA_ARGS__, NULL })

KTEST(basic_root_dir)
{
    KT_EQ(parse(ARGV("-r", "img.ext4", "--", "/bin/ls", "-la")), KBOX_CLI_OK);
    KT_STREQ(o.image, "img.ext4");
    KT_EQ(o.argc, 2);
    KT_STREQ(o.argv[0], "/bin/ls");
    KT_STREQ(o.argv[1], "-la");
    KT_EQ(o.profile, KBOX_PROFILE_NONE);
    KT_EQ(o.root_id, 0);
    KT_STREQ(o.fs_type, "ext4");
    kbox_cli_free(&o);
}

KTEST(image_alias_and_long_opts)
{
    KT_EQ(parse(ARGV("image", "--root-dir=a.img", "--fs-type", "ext4",
                     "--work-dir", "/tmp", "--verbose", "--", "true")),
          KBOX_CLI_OK);
    KT_STREQ(o.image, "a.img");
    KT_STREQ(o.work_dir, "/tmp");
    KT_EQ(o.verbose, 1);
    KT_STREQ(o.argv[0], "true");
    kbox_cli_free(&o);
}

KTEST(system_root_sets_profile_and_root)
{
    KT_EQ(parse(ARGV("-S", "x.img", "--", "sh")), KBOX_CLI_OK);
    KT_EQ(o.profile, KBOX_PROFILE_FULL);
    KT_EQ(o.root_id, 1);
    kbox_cli_free(&o);
    KT_EQ(parse(ARGV("-R", "x.img", "--mount-profile", "minimal", "--", "sh")),
          KBOX_CLI_OK);
    KT_EQ(o.profile, KBOX_PROFILE_MINIMAL);
    KT_EQ(o.root_id, 0);
    kbox_cli_free(&o);
}

KTEST(command_option)
{
    KT_EQ(parse(ARGV("-r", "x.img", "-c", "echo hi")), KBOX_CLI_OK);
    KT_EQ(o.argc, 3);
    KT_STREQ(o.argv[0], "/bin/sh");
    KT_STREQ(o.argv[1], "-c");
    KT_STREQ(o.argv[2], "echo hi");
    kbox_cli_free(&o);
    KT_EQ(parse(ARGV("-r", "x.img", "-c", "x", "--", "y")), KBOX_CLI_USAGE);
}

KTEST(mount_opts_repeatable)
{
    KT_EQ(parse(ARGV("-r", "x.img", "-m", "ro", "-m", "noatime,nodev", "-m",
                     "data=journal,errors=remount-ro", "--", "ls")),
          KBOX_CLI_OK);
    KT_EQ(o.readonly, 1);
    KT_STREQ(o.mount_opts, "data=journal,errors=remount-ro");
    KT_EQ(o.mount_flags, MS_NOATIME | MS_NODEV);
    kbox_cli_free(&o);
    /* the later of two opposites wins, as with mount(8) */
    KT_EQ(parse(ARGV("-r", "x.img", "-m", "noatime,nosuid,strictatime", "-m",
                     "suid,defaults", "--", "ls")),
          KBOX_CLI_OK);
    KT_EQ(o.mount_flags, MS_STRICTATIME);
    KT_STREQ(o.mount_opts, "");
    kbox_cli_free(&o);
}

/* errors of long-only options name them ("option -" and a control
 * character were printed) */
KTEST(long_option_errors)
{
    KT_EQ(parse(ARGV("-r", "x.img", "--change-id")), KBOX_CLI_USAGE);
    KT_STREQ(errbuf, "option '--change-id' needs an argument");
    KT_EQ(parse(ARGV("--verbose=1", "-r", "x.img", "--", "ls")),
          KBOX_CLI_USAGE);
    KT_STREQ(errbuf, "option '--verbose' takes no argument");
    KT_EQ(parse(ARGV("--help=x")), KBOX_CLI_USAGE);
    KT_STREQ(errbuf, "option '--help' takes no argument");
    KT_EQ(parse(ARGV("--bogus", "-r", "x.img", "--", "ls")), KBOX_CLI_USAGE);
    KT_STREQ(errbuf, "unknown option '--bogus' (see --help)");
    /* a short option's error after a long option is still the short one */
    KT_EQ(parse(ARGV("--work-dir=/x", "-q0", "-r", "x.img", "--", "ls")),
          KBOX_CLI_USAGE);
    KT_STREQ(errbuf, "unknown option -q (see --help)");
    KT_EQ(parse(ARGV("-r")), KBOX_CLI_USAGE);
    KT_STREQ(errbuf, "option -r needs an argument");
}

KTEST(binds)
{
    KT_EQ(parse(ARGV("-r", "x.img", "-b", "/tmp//a/../b:/mnt/x/", "-b",
                     "/srv:/data", "--", "ls")),
          KBOX_CLI_OK);
    KT_EQ(o.nbinds, 2);
    KT_STREQ(o.binds[0].host_src, "/tmp/b");
    KT_STREQ(o.binds[0].guest_dst, "/mnt/x");
    KT_STREQ(o.binds[1].guest_dst, "/data");
    kbox_cli_free(&o);
    KT_EQ(parse(ARGV("-r", "x.img", "-b", "nocolon", "--", "ls")),
          KBOX_CLI_USAGE);
    KT_ASSERT(strstr(errbuf, "bind"));
    KT_EQ(parse(ARGV("-r", "x.img", "-b", "/a:rel", "--", "ls")),
          KBOX_CLI_USAGE);
    KT_EQ(parse(ARGV("-r", "x.img", "-b", ":/x", "--", "ls")), KBOX_CLI_USAGE);
    KT_EQ(parse(ARGV("-r", "x.img", "-b", "/a:/", "--", "ls")), KBOX_CLI_USAGE);
}

KTEST(ids)
{
    KT_EQ(parse(ARGV("-r", "x.img", "--change-id", "1000:100", "--", "id")),
          KBOX_CLI_OK);
    KT_EQ(o.change_id, 1);
    KT_EQ(o.uid, 1000);
    KT_EQ(o.gid, 100);
    KT_EQ(o.change_gid_set, 1);
    KT_STREQ(o.change_user, "");
    KT_STREQ(o.change_group, "");
    kbox_cli_free(&o);
    /* a user alone: its primary group comes from the image later */
    KT_EQ(parse(ARGV("-r", "x.img", "--change-id", "1000", "--", "id")),
          KBOX_CLI_OK);
    KT_EQ(o.uid, 1000);
    KT_EQ(o.change_gid_set, 0);
    kbox_cli_free(&o);
    /* names, resolved from the image's /etc/passwd and /etc/group */
    KT_EQ(parse(ARGV("-r", "x.img", "--change-id", "alice:staff", "--", "id")),
          KBOX_CLI_OK);
    KT_STREQ(o.change_user, "alice");
    KT_STREQ(o.change_group, "staff");
    KT_EQ(o.change_gid_set, 1);
    kbox_cli_free(&o);
    KT_EQ(parse(ARGV("-r", "x.img", "--change-id", "alice", "--", "id")),
          KBOX_CLI_OK);
    KT_STREQ(o.change_user, "alice");
    KT_EQ(o.change_gid_set, 0);
    kbox_cli_free(&o);
    KT_EQ(parse(ARGV("-r", "x.img", "--change-id", "1000:staff", "--", "id")),
          KBOX_CLI_OK);
    KT_EQ(o.uid, 1000);
    KT_STREQ(o.change_user, "");
    KT_STREQ(o.change_group, "staff");
    kbox_cli_free(&o);
    KT_EQ(parse(ARGV("-r", "x.img", "--change-id", "-1:0", "--", "id")),
          KBOX_CLI_USAGE);
    KT_ASSERT(strstr(errbuf, "USER[:GROUP]") != NULL);
    KT_EQ(parse(ARGV("-r", "x.img", "--change-id", "a:", "--", "id")),
          KBOX_CLI_USAGE);
    KT_EQ(parse(ARGV("-r", "x.img", "--change-id", ":b", "--", "id")),
          KBOX_CLI_USAGE);
    KT_EQ(parse(ARGV("-r", "x.img", "--change-id", "a:b:c", "--", "id")),
          KBOX_CLI_USAGE);
    KT_EQ(parse(ARGV("-r", "x.img", "--change-id", "a/b", "--", "id")),
          KBOX_CLI_USAGE);
    KT_EQ(parse(ARGV("-r", "x.img", "--change-id", "4294967295", "--", "id")),
          KBOX_CLI_USAGE);
    KT_EQ(parse(ARGV("-r", "x.img", "-0", "--change-id", "1:1", "--", "id")),
          KBOX_CLI_USAGE);
    /* -S with --change-id: the message says how to get the mounts */
    KT_EQ(parse(ARGV("-S", "x.img", "--change-id", "1:1", "--", "id")),
          KBOX_CLI_USAGE);
    KT_ASSERT(strstr(errbuf, "-R IMAGE --change-id") != NULL);
    KT_EQ(parse(ARGV("-r", "x.img", "-0", "--", "id")), KBOX_CLI_OK);
    KT_EQ(o.root_id, 1);
    kbox_cli_free(&o);
}

KTEST(syscall_mode)
{
    KT_EQ(parse(ARGV("-r", "x", "--syscall-mode", "seccomp", "--", "l")),
          KBOX_CLI_OK);
    KT_EQ(o.mode, KBOX_MODE_SECCOMP);
    KT_EQ(parse(ARGV("-r", "x", "--syscall-mode", "trap", "--", "l")),
          KBOX_CLI_USAGE);
    KT_ASSERT(strstr(errbuf, "not implemented"));
    KT_EQ(parse(ARGV("-r", "x", "--syscall-mode", "bogus", "--", "l")),
          KBOX_CLI_USAGE);
}

KTEST(errors)
{
    KT_EQ(parse(ARGV("--bogus")), KBOX_CLI_USAGE);
    KT_ASSERT(strstr(errbuf, "--bogus"));
    KT_EQ(parse(ARGV("-x", "-r", "a", "--", "l")), KBOX_CLI_USAGE);
    KT_ASSERT(strstr(errbuf, "-x"));
    KT_EQ(parse(ARGV("-r")), KBOX_CLI_USAGE);
    KT_ASSERT(strstr(errbuf, "argument"));
    KT_EQ(parse(ARGV("--", "ls")), KBOX_CLI_USAGE);
    KT_ASSERT(strstr(errbuf, "image"));
    KT_EQ(parse(ARGV("-r", "x.img")), KBOX_CLI_USAGE);
    KT_ASSERT(strstr(errbuf, "command"));
    KT_EQ(parse(ARGV("-r", "a", "-S", "b", "--", "l")), KBOX_CLI_USAGE);
    KT_EQ(parse(ARGV("-r", "a", "-p", "x", "--", "l")), KBOX_CLI_USAGE);
    KT_EQ(parse(ARGV("-r", "a", "-w", "rel", "--", "l")), KBOX_CLI_USAGE);
    KT_EQ(parse(ARGV("-r", "a", "--mount-profile", "huge", "--", "l")),
          KBOX_CLI_USAGE);
    KT_EQ(parse(ARGV("-r", "a", "--", "")), KBOX_CLI_USAGE);
    KT_EQ(parse((char *[]){ "kbox", NULL }), KBOX_CLI_USAGE);
}

KTEST(help_version)
{
    KT_EQ(parse(ARGV("--help")), KBOX_CLI_EXIT0);
    KT_EQ(parse(ARGV("-h")), KBOX_CLI_EXIT0);
    KT_EQ(parse(ARGV("--version")), KBOX_CLI_EXIT0);
}

/* -k mem= must be a size lx takes as given: lx made anything below 16M,
 * "foo" included, 16M */
KTEST(kernel_mem_size)
{
    KT_EQ(parse(ARGV("-r", "x", "-k", "loglevel=7 mem=2G", "--", "ls")),
          KBOX_CLI_OK);
    KT_STREQ(o.cmdline, "loglevel=7 mem=2G");
    kbox_cli_free(&o);
    KT_EQ(parse(ARGV("-r", "x", "-k", "mem=16M", "--", "ls")), KBOX_CLI_OK);
    kbox_cli_free(&o);
    KT_EQ(parse(ARGV("-r", "x", "-k", "mem=0x40000000", "--", "ls")),
          KBOX_CLI_OK);
    kbox_cli_free(&o);
    KT_EQ(parse(ARGV("-r", "x", "-k", "memtest=1 mem=512m", "--", "ls")),
          KBOX_CLI_OK);
    kbox_cli_free(&o);
    KT_EQ(parse(ARGV("-r", "x", "-k", "mem=foo", "--", "ls")), KBOX_CLI_USAGE);
    KT_STREQ(errbuf, "bad -k mem=foo (want a size of at least 16M, e.g. "
                     "mem=2G)");
    KT_EQ(parse(ARGV("-r", "x", "-k", "quiet mem=1 x", "--", "ls")),
          KBOX_CLI_USAGE);
    KT_STREQ(errbuf, "bad -k mem=1 (want a size of at least 16M, e.g. "
                     "mem=2G)");
    KT_EQ(parse(ARGV("-r", "x", "-k", "mem=1.5G", "--", "ls")), KBOX_CLI_USAGE);
    KT_EQ(parse(ARGV("-r", "x", "-k", "mem=2GB", "--", "ls")), KBOX_CLI_USAGE);
    KT_EQ(parse(ARGV("-r", "x", "-k", "mem=", "--", "ls")), KBOX_CLI_USAGE);
    KT_EQ(parse(ARGV("-r", "x", "-k", "mem=99999999999E", "--", "ls")),
          KBOX_CLI_USAGE);
}

KTEST(options_stop_at_command)
{
    /* Options after the command belong to the command. */
    KT_EQ(parse(ARGV("-r", "x", "ls", "-r", "y")), KBOX_CLI_OK);
    KT_EQ(o.argc, 3);
    KT_STREQ(o.argv[1], "-r");
    KT_STREQ(o.image, "x");
    kbox_cli_free(&o);
}

int main(int argc, char **argv)
{
    return ktest_main(argc, argv);
}
