// SPDX-License-Identifier: GPL-2.0
/*
 * ext4 records where it is mounted ("last mounted on") in its superblock
 * at the first open of a file, as a journal transaction of its own. Under
 * kbox that is "/" every run: the transaction changed no byte, yet cost
 * every read-write run a journal commit and its checkpoint at unmount
 * (six of the eight image writes and five of the seven fdatasyncs of a
 * /bin/true run). When the superblock already holds the path ext4 would write,
 * the sample is marked taken; otherwise ext4 writes it as it always did.
 */
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/mount.h>
#include <linux/path.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "ext4.h"
#include "../kernel/lx.h"

/* Driven by ext4 (also as ext2, ext3): its private superblock is ext4's. */
static bool lx_is_ext4(struct super_block *sb)
{
	struct file_system_type *ext4 = get_fs_type("ext4");
	bool ret;

	if (!ext4)
		return false;
	ret = sb->s_magic == EXT4_SUPER_MAGIC &&
	      sb->s_type->init_fs_context == ext4->init_fs_context;
	put_filesystem(ext4);
	return ret;
}

/*
 * For the file system at current's root (the image, after lx_chroot):
 * 1 if its "last mounted on" already reads as ext4 would sample it and
 * the sample is now marked taken, 0 if ext4 is left to write it.
 */
long lx_ext4_keep_last_mounted(void)
{
	struct path root, mnt_root;
	struct super_block *sb;
	struct ext4_super_block *es;
	char buf[64], *cp;
	char want[sizeof(es->s_last_mounted)] __nonstring;
	long ret = 0;

	get_fs_root(current->fs, &root);
	sb = root.mnt->mnt_sb;
	if (!lx_is_ext4(sb) || sb_rdonly(sb) ||
	    ext4_test_mount_flag(sb, EXT4_MF_MNTDIR_SAMPLED))
		goto out;
	/* what ext4_sample_last_mounted() computes, for a task at this root */
	memset(buf, 0, sizeof(buf));
	mnt_root.mnt = root.mnt;
	mnt_root.dentry = root.mnt->mnt_root;
	cp = d_path(&mnt_root, buf, sizeof(buf));
	if (IS_ERR(cp))
		goto out;
	/* byte for byte what it would store, padding included */
	strtomem_pad(want, cp, 0);
	es = EXT4_SB(sb)->s_es;
	lock_buffer(EXT4_SB(sb)->s_sbh);
	if (!memcmp(es->s_last_mounted, want, sizeof(want))) {
		ext4_set_mount_flag(sb, EXT4_MF_MNTDIR_SAMPLED);
		ret = 1;
	}
	unlock_buffer(EXT4_SB(sb)->s_sbh);
out:
	path_put(&root);
	return ret;
}
