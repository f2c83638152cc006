// SPDX-License-Identifier: GPL-2.0
/*
 * devtmpfs for lx.
 *
 * drivers/base/devtmpfs.c keeps its tree on ramfs unless CONFIG_TMPFS,
 * which needs SHMEM, which needs an MMU. ramfs has no size limit and its
 * pages are never reclaimed, so a root guest's `dd of=/dev/sdb` (a disk
 * that does not exist: dd makes a regular file) filled lx's memory and
 * the whole sandbox hung. lx registers its own "devtmpfs" in place of
 * that one: one instance of lx's tmpfs (every mount of devtmpfs shows the
 * same tree, as on Linux) with tmpfs's limits and ENOSPC.
 *
 * The kernel's tree still gets a node for each device as it is added
 * (kdevtmpfs); a mount copies the directories and nodes that ours lacks,
 * with their modes and owners.
 */
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/init.h>
#include <linux/list.h>
#include <linux/mount.h>
#include <linux/mutex.h>
#include <linux/namei.h>
#include <linux/overflow.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/stat.h>

#include "lxfs.h"

static struct vfsmount *kernel_tree;	/* the kernel's devtmpfs */
static struct vfsmount *lxdev_mnt;	/* ours */
static const struct cred *lxdev_cred;
static DEFINE_MUTEX(lxdev_lock);

struct lxdev_name {
	struct list_head list;
	int len;
	char name[];
};

struct lxdev_names {
	struct dir_context ctx;
	struct list_head head;
	int err;
};

static bool lxdev_collect(struct dir_context *ctx, const char *name, int len,
			  loff_t pos, u64 ino, unsigned int type)
{
	struct lxdev_names *n = container_of(ctx, struct lxdev_names, ctx);
	struct lxdev_name *e;

	if (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')))
		return true;
	e = kmalloc(struct_size(e, name, len + 1), GFP_KERNEL);
	if (!e) {
		n->err = -ENOMEM;
		return false;
	}
	memcpy(e->name, name, len);
	e->name[len] = '\0';
	e->len = len;
	list_add_tail(&e->list, &n->head);
	return true;
}

static int lxdev_copy_dir(const struct path *src, struct dentry *dst,
			  int depth);

/* Make @name of @src in @dst, as it is there, unless @dst has it. */
static int lxdev_copy_one(const struct path *src, struct dentry *dst,
			  const char *name, int len, int depth)
{
	struct inode *dir = d_inode(dst);
	struct path s = { .mnt = src->mnt };
	struct dentry *d;
	struct kstat st;
	int err;

	s.dentry = lookup_one_len_unlocked(name, src->dentry, len);
	if (IS_ERR(s.dentry))
		return PTR_ERR(s.dentry);
	err = 0;
	if (d_really_is_negative(s.dentry))	/* removed meanwhile */
		goto out_src;
	err = vfs_getattr(&s, &st, STATX_BASIC_STATS, AT_STATX_SYNC_AS_STAT);
	if (err)
		goto out_src;

	inode_lock_nested(dir, I_MUTEX_PARENT);
	d = lookup_one_len(name, dst, len);
	if (IS_ERR(d)) {
		inode_unlock(dir);
		err = PTR_ERR(d);
		goto out_src;
	}
	if (d_really_is_negative(d)) {
		/* devtmpfs holds directories and device nodes only */
		if (S_ISDIR(st.mode))
			err = vfs_mkdir(&nop_mnt_idmap, dir, d, st.mode & 07777);
		else if (S_ISCHR(st.mode) || S_ISBLK(st.mode))
			err = vfs_mknod(&nop_mnt_idmap, dir, d, st.mode,
					st.rdev);
		/* vfs_mknod() and vfs_mkdir() applied the umask */
		if (!err && d_really_is_positive(d)) {
			d_inode(d)->i_mode = st.mode;
			d_inode(d)->i_uid = st.uid;
			d_inode(d)->i_gid = st.gid;
		}
	}
	inode_unlock(dir);
	if (!err && S_ISDIR(st.mode) && d_is_dir(d))
		err = lxdev_copy_dir(&s, d, depth + 1);
	dput(d);
out_src:
	dput(s.dentry);
	return err;
}

static int lxdev_copy_dir(const struct path *src, struct dentry *dst,
			  int depth)
{
	struct lxdev_names n = { .ctx.actor = lxdev_collect };
	struct lxdev_name *e, *tmp;
	struct file *f;
	int err;

	if (depth > 16)
		return -ELOOP;
	INIT_LIST_HEAD(&n.head);
	f = dentry_open(src, O_RDONLY | O_DIRECTORY, current_cred());
	if (IS_ERR(f))
		return PTR_ERR(f);
	err = iterate_dir(f, &n.ctx);
	fput(f);
	if (!err)
		err = n.err;
	list_for_each_entry_safe(e, tmp, &n.head, list) {
		if (!err)
			err = lxdev_copy_one(src, dst, e->name, e->len, depth);
		list_del(&e->list);
		kfree(e);
	}
	return err;
}

static void lxdev_sync(void)
{
	struct path root = { .mnt = kernel_tree, .dentry = kernel_tree->mnt_root };
	const struct cred *old;
	int err;

	mutex_lock(&lxdev_lock);
	old = override_creds(lxdev_cred);
	err = lxdev_copy_dir(&root, lxdev_mnt->mnt_root, 0);
	revert_creds(old);
	mutex_unlock(&lxdev_lock);
	if (err)
		pr_warn("devtmpfs: copying device nodes: %d\n", err);
}

/* As drivers/base/devtmpfs.c: a mount is the one instance, reconfigured. */
static struct dentry *lxdev_mount(struct file_system_type *fs_type,
				  int flags, const char *dev_name, void *data)
{
	struct super_block *s = lxdev_mnt->mnt_sb;
	int err;

	lxdev_sync();
	atomic_inc(&s->s_active);
	down_write(&s->s_umount);
	err = reconfigure_single(s, flags, data);
	if (err < 0) {
		deactivate_locked_super(s);
		return ERR_PTR(err);
	}
	return dget(s->s_root);
}

static struct file_system_type lxdev_fs_type = {
	.name	= "devtmpfs",
	.mount	= lxdev_mount,
};

static int __init lxdev_init(void)
{
	struct file_system_type *old = get_fs_type("devtmpfs");
	char opts[] = "mode=0755";
	int err;

	if (!old)
		return 0;	/* no devtmpfs configured */
	kernel_tree = vfs_kern_mount(old, 0, "devtmpfs", NULL);
	if (IS_ERR(kernel_tree)) {
		err = PTR_ERR(kernel_tree);
		goto fail;
	}
	lxdev_mnt = vfs_kern_mount(&lxtmp_devtmpfs_type, 0, "devtmpfs", opts);
	if (IS_ERR(lxdev_mnt)) {
		err = PTR_ERR(lxdev_mnt);
		goto fail;
	}
	lxdev_cred = prepare_kernel_cred(&init_task);
	if (!lxdev_cred) {
		err = -ENOMEM;
		goto fail;
	}
	/* kdevtmpfs keeps its own mount of the old tree; take the name */
	unregister_filesystem(old);
	put_filesystem(old);
	return register_filesystem(&lxdev_fs_type);
fail:
	put_filesystem(old);
	pr_err("devtmpfs: keeping the kernel's ramfs one: %d\n", err);
	return 0;
}
/* after drivers/base's devtmpfs (driver_init) and lx's tmpfs (fs_initcall) */
device_initcall(lxdev_init);
