// SPDX-License-Identifier: GPL-2.0
/*
 * "kbox-bind": what lx mounts where the guest sees a host bind.
 *
 * The supervisor routes a path into a bind by its text, before lx sees
 * it. A walk lx does itself can still arrive there: through a symlink in
 * the image (/usr/local/bin/tool -> /src/tool), or relative to a
 * directory the guest holds open (find's openat(fd_of("/mnt"), "src")).
 * Without a mount, such walks ended in the image's own, usually empty,
 * directory beneath the bind.
 *
 * The root of this filesystem refuses every transit with EXDEV: the
 * supervisor then resolves the path in the guest's tree up to the bind
 * and routes what is left to the host (src/dispatch/fs.c). Only the task
 * that mounted it (kbox's own, to unmount it at halt) may cross.
 *
 * The mount data "dev=MAJ:MIN" is the host's device of the bind's
 * source: the guest stats its files on the host, so mountinfo must show
 * that device for them (df, findmnt -T, stat's %m match st_dev to it).
 * The anonymous device the superblock got is kept to be freed.
 *
 * ",id=N" names the bind (kbox's index + 1). The guest may move its own
 * mounts (a tmpfs over the bind's parent, an rbind copy elsewhere), so
 * the text of a path no longer says which bind it reaches:
 * lx_bindtrap_probe() walks a path as the guest and says which trap, if
 * any, its last component reaches. A copy of the mount (rbind) shares
 * the superblock, hence the id.
 *
 * ",file" makes the root a regular file, for a file bind (-b F:/etc/x):
 * Linux mounts a file over a file as it does a directory over a
 * directory, so the walk of /etc/x meets the trap and a guest's mount
 * over /etc or chroot hides it as natively.
 */
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/init.h>
#include <linux/mutex.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "../kernel/lx.h"

#define LX_BINDTRAP_MAGIC 0x6b626e64	/* "kbnd" */

struct lx_bindtrap {
	struct task_struct *owner;
	dev_t anon;		/* the device get_tree_nodev gave */
	unsigned int id;	/* from "id=N", or 0 */
};

struct lx_bindtrap_ctx {
	dev_t dev;		/* the host's, from "dev=MAJ:MIN", or 0 */
	unsigned int id;
	bool file;		/* ",file": the root is a regular file */
};

/* The one probing task and what its walk met (lx_bindtrap_probe). */
static DEFINE_MUTEX(probe_lock);
static struct task_struct *probe_task;
static unsigned int probe_id;

static int lx_bindtrap_manage(const struct path *path, bool rcu_walk)
{
	struct lx_bindtrap *bt = path->dentry->d_sb->s_fs_info;

	if (current == bt->owner)
		return 0;
	if (READ_ONCE(probe_task) == current)
		probe_id = bt->id;
	/* in RCU mode, -ECHILD retries as a ref-walk, which calls again */
	return rcu_walk ? -ECHILD : -EXDEV;
}

static const struct dentry_operations lx_bindtrap_dops = {
	.d_manage = lx_bindtrap_manage,
};

static const struct super_operations lx_bindtrap_sops = {
	.statfs = simple_statfs,
	.drop_inode = generic_delete_inode,
};

static int lx_bindtrap_fill_super(struct super_block *sb,
				  struct fs_context *fc)
{
	struct lx_bindtrap_ctx *ctx = fc->fs_private;
	struct lx_bindtrap *bt;
	struct inode *inode;

	bt = kzalloc(sizeof(*bt), GFP_KERNEL);
	if (!bt)
		return -ENOMEM;
	bt->owner = get_task_struct(current);
	bt->anon = sb->s_dev;
	sb->s_fs_info = bt;
	if (ctx && ctx->dev)
		sb->s_dev = ctx->dev;
	if (ctx)
		bt->id = ctx->id;
	sb->s_magic = LX_BINDTRAP_MAGIC;
	sb->s_op = &lx_bindtrap_sops;
	sb->s_d_op = &lx_bindtrap_dops;
	sb->s_time_gran = 1;

	inode = new_inode(sb);
	if (!inode)
		return -ENOMEM;
	inode->i_ino = 1;
	simple_inode_init_ts(inode);
	if (ctx && ctx->file) {
		/* new_inode's no_open fops: d_manage refuses every walk */
		inode->i_mode = S_IFREG | 0644;
	} else {
		inode->i_mode = S_IFDIR | 0755;
		inode->i_op = &simple_dir_inode_operations;
		inode->i_fop = &simple_dir_operations;
		set_nlink(inode, 2);
	}
	sb->s_root = d_make_root(inode);
	if (!sb->s_root)
		return -ENOMEM;
	/* d_set_d_op() leaves this to the filesystem (autofs sets it too) */
	spin_lock(&sb->s_root->d_lock);
	sb->s_root->d_flags |= DCACHE_MANAGE_TRANSIT;
	spin_unlock(&sb->s_root->d_lock);
	return 0;
}

static int lx_bindtrap_get_tree(struct fs_context *fc)
{
	return get_tree_nodev(fc, lx_bindtrap_fill_super);
}

static int lx_bindtrap_parse(struct fs_context *fc, void *data)
{
	struct lx_bindtrap_ctx *ctx = fc->fs_private;
	unsigned int maj, min, id;
	const char *p;

	if (data && sscanf(data, "dev=%u:%u", &maj, &min) == 2)
		ctx->dev = MKDEV(maj, min);
	p = data ? strstr(data, "id=") : NULL;
	if (p && sscanf(p, "id=%u", &id) == 1)
		ctx->id = id;
	/* a word of its own: "file" at the start or after a comma */
	p = data ? strstr(data, "file") : NULL;
	if (p && (p == data || p[-1] == ',') && (!p[4] || p[4] == ','))
		ctx->file = true;
	return 0;
}

/*
 * Which trap the last component of @name reaches when current walks it
 * (from its root and cwd, or from its directory fd @dfd for a relative
 * name; a last symlink is not followed): the trap's id, 0 when it
 * reaches something else, a trap without an id, or fails, or when a
 * trap stops the walk before the last component (the parent is walked
 * first, so that one cannot pass for it).
 */
long lx_bindtrap_probe(int dfd, const char *name)
{
	struct path parent, p;
	const char *last, *leaf;
	char *dir;
	long ret = 0;
	int err;

	last = strrchr(name, '/');
	leaf = last ? last + 1 : name;
	if (!*leaf)
		return 0;
	if (name[0] != '/' && dfd != AT_FDCWD) {
		struct fd f = fdget(dfd);

		if (!fd_file(f))
			return 0;
		parent = fd_file(f)->f_path;
		path_get(&parent);
		fdput(f);
		if (last) {
			struct path start = parent;

			/* vfs_path_lookup() starts there and stays beneath */
			dir = kstrndup(name, last - name, GFP_KERNEL);
			err = dir ? vfs_path_lookup(start.dentry, start.mnt, dir,
						    LOOKUP_FOLLOW |
						    LOOKUP_DIRECTORY,
						    &parent) : -ENOMEM;
			kfree(dir);
			path_put(&start);
			if (err)
				return 0;
		}
	} else {
		if (!last)
			return 0;
		dir = kstrndup(name, last == name ? 1 : last - name,
			       GFP_KERNEL);
		if (!dir)
			return -ENOMEM;
		err = kern_path(dir, LOOKUP_FOLLOW | LOOKUP_DIRECTORY,
				&parent);
		kfree(dir);
		if (err)
			return 0;
	}
	mutex_lock(&probe_lock);
	WRITE_ONCE(probe_task, current);
	probe_id = 0;
	err = vfs_path_lookup(parent.dentry, parent.mnt, leaf, 0, &p);
	WRITE_ONCE(probe_task, NULL);
	if (!err)
		path_put(&p);
	else if (err == -EXDEV)
		ret = probe_id;
	mutex_unlock(&probe_lock);
	path_put(&parent);
	return ret;
}

static void lx_bindtrap_free(struct fs_context *fc)
{
	kfree(fc->fs_private);
}

static const struct fs_context_operations lx_bindtrap_ctx_ops = {
	.parse_monolithic = lx_bindtrap_parse,
	.get_tree = lx_bindtrap_get_tree,
	.free = lx_bindtrap_free,
};

static int lx_bindtrap_init_fs_context(struct fs_context *fc)
{
	fc->fs_private = kzalloc(sizeof(struct lx_bindtrap_ctx), GFP_KERNEL);
	if (!fc->fs_private)
		return -ENOMEM;
	fc->ops = &lx_bindtrap_ctx_ops;
	return 0;
}

static void lx_bindtrap_kill_sb(struct super_block *sb)
{
	struct lx_bindtrap *bt = sb->s_fs_info;

	if (bt)
		sb->s_dev = bt->anon;	/* kill_anon_super frees it */
	kill_anon_super(sb);
	if (bt) {
		put_task_struct(bt->owner);
		kfree(bt);
	}
}

static struct file_system_type lx_bindtrap_fs_type = {
	.name = "kbox-bind",
	.init_fs_context = lx_bindtrap_init_fs_context,
	.kill_sb = lx_bindtrap_kill_sb,
};

static int __init lx_bindtrap_init(void)
{
	return register_filesystem(&lx_bindtrap_fs_type);
}
fs_initcall(lx_bindtrap_init);
