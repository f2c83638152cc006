// SPDX-License-Identifier: GPL-2.0
/*
 * tmpfs for lx.
 *
 * lx has no MMU, so the kernel's tmpfs is ramfs: no size limit, and its
 * pages can never be reclaimed. A guest that wrote more than lx's RAM to
 * /tmp drove every later allocation into endless reclaim: the whole
 * sandbox hung. This is the same in-memory filesystem with tmpfs's
 * limits and reporting: size= and nr_inodes= (default half of RAM, as
 * on Linux), ENOSPC when full, statfs with TMPFS_MAGIC and real counts,
 * holes that cost nothing until written. All instances together may pin
 * at most half of RAM, so the kernel always keeps room to work.
 *
 * It registers as "tmpfs" in place of the ramfs-backed one. lx is one CPU
 * without preemption, but allocations may sleep, so the counters are
 * atomic and a charge is taken before the page that needs it.
 */
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/iversion.h>
#include <linux/exportfs.h>
#include <linux/falloc.h>
#include <linux/fileattr.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/posix_acl.h>
#include <linux/random.h>
#include <linux/ramfs.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/statfs.h>
#include <linux/string.h>
#include <linux/uio.h>
#include <linux/uuid.h>
#include <linux/xattr.h>

#include "lxfs.h"

struct lxtmp_info {
	unsigned long max_pages;	/* size= in pages */
	unsigned long max_inodes;	/* nr_inodes= */
	atomic_long_t used_pages;
	atomic_long_t used_inodes;
	umode_t mode;
	kuid_t uid;
	kgid_t gid;
	atomic_long_t xattr_bytes;	/* kept by every inode's xattrs */
};

/*
 * A directory's size counts its entries, 20 bytes each with two for "."
 * and "..", as Linux's tmpfs does (stat of a directory, `ls -ld`).
 */
#define LXTMP_DIRENT_SIZE 20

/* An inode with its extended attributes (and so its ACLs' home). */
struct lxtmp_inode {
	struct simple_xattrs xattrs;
	struct timespec64 crtime;	/* birth time, as shmem's i_crtime */
	unsigned int fsflags;		/* chattr's flags (FS_*_FL) */
	struct inode vfs_inode;
};

static struct kmem_cache *lxtmp_inode_cache;

static inline struct lxtmp_inode *LXTMP_I(struct inode *inode)
{
	return container_of(inode, struct lxtmp_inode, vfs_inode);
}

/* Set by the parser: which limits a remount changes. */
struct lxtmp_ctx {
	struct lxtmp_info opt;
	bool has_size, has_inodes, has_mode, has_uid, has_gid;
};

/* Pages pinned by every instance together. */
static atomic_long_t lxtmp_pinned;

static unsigned long lxtmp_global_max(void)
{
	return totalram_pages() / 2;
}

static unsigned long lxtmp_default_pages(void)
{
	return totalram_pages() / 2;
}

static unsigned long lxtmp_default_inodes(void)
{
	return totalram_pages() / 2;
}

static struct lxtmp_info *LXTMP(struct super_block *sb)
{
	return sb->s_fs_info;
}

static int lxtmp_charge(struct super_block *sb, long pages)
{
	struct lxtmp_info *fi = LXTMP(sb);

	if (atomic_long_add_return(pages, &fi->used_pages) > fi->max_pages)
		goto undo_sb;
	if (atomic_long_add_return(pages, &lxtmp_pinned) > lxtmp_global_max())
		goto undo_all;
	return 0;
undo_all:
	atomic_long_sub(pages, &lxtmp_pinned);
undo_sb:
	atomic_long_sub(pages, &fi->used_pages);
	return -ENOSPC;
}

/* Pages this instance may still take. */
static unsigned long lxtmp_room(struct super_block *sb)
{
	struct lxtmp_info *fi = LXTMP(sb);
	long own = (long)fi->max_pages - atomic_long_read(&fi->used_pages);
	long all = (long)lxtmp_global_max() - atomic_long_read(&lxtmp_pinned);

	return max(0L, min(own, all));
}

static void lxtmp_uncharge(struct super_block *sb, long pages)
{
	if (pages <= 0)
		return;
	atomic_long_sub(pages, &LXTMP(sb)->used_pages);
	atomic_long_sub(pages, &lxtmp_pinned);
}

/* --- file data --- */

static int lxtmp_write_begin(struct file *file, struct address_space *mapping,
			     loff_t pos, unsigned int len,
			     struct folio **foliop, void **fsdata)
{
	struct folio *folio = filemap_get_folio(mapping, pos >> PAGE_SHIFT);
	int err;

	if (!IS_ERR(folio)) {
		folio_put(folio);
		return ram_aops.write_begin(file, mapping, pos, len, foliop,
					    fsdata);
	}
	err = lxtmp_charge(mapping->host->i_sb, 1);
	if (err)
		return err;
	err = ram_aops.write_begin(file, mapping, pos, len, foliop, fsdata);
	if (err)
		lxtmp_uncharge(mapping->host->i_sb, 1);
	return err;
}

static int lxtmp_write_end(struct file *file, struct address_space *mapping,
			   loff_t pos, unsigned int len, unsigned int copied,
			   struct folio *folio, void *fsdata)
{
	return ram_aops.write_end(file, mapping, pos, len, copied, folio,
				  fsdata);
}

static int lxtmp_read_folio(struct file *file, struct folio *folio)
{
	return ram_aops.read_folio(file, folio);
}

static const struct address_space_operations lxtmp_aops = {
	.read_folio	= lxtmp_read_folio,
	.write_begin	= lxtmp_write_begin,
	.write_end	= lxtmp_write_end,
	.dirty_folio	= noop_dirty_folio,
};

/*
 * Reads copy from the pages that exist and zeros for holes, without
 * adding pages: the generic path would fill a sparse file's holes with
 * uncharged, unreclaimable zero pages.
 */
static ssize_t lxtmp_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct file *file = iocb->ki_filp;
	struct inode *inode = file_inode(file);
	loff_t pos = iocb->ki_pos;
	ssize_t done = 0;

	while (iov_iter_count(to)) {
		loff_t size = i_size_read(inode);
		size_t off = offset_in_page(pos), n, got;
		struct folio *folio;

		if (pos >= size)
			break;
		n = min_t(u64, PAGE_SIZE - off,
			  min_t(u64, iov_iter_count(to), size - pos));
		folio = filemap_get_folio(inode->i_mapping, pos >> PAGE_SHIFT);
		if (IS_ERR(folio)) {
			got = iov_iter_zero(n, to);
		} else {
			got = copy_folio_to_iter(folio, off, n, to);
			folio_put(folio);
		}
		pos += got;
		done += got;
		if (got < n) {
			if (!done)
				done = -EFAULT;
			break;
		}
		if (fatal_signal_pending(current))
			break;
		cond_resched();
	}
	iocb->ki_pos = pos;
	file_accessed(file);
	return done;
}

/* Remove pages in [start, end] and give their charge back. */
static void lxtmp_drop_range(struct inode *inode, loff_t start, loff_t end)
{
	unsigned long before = inode->i_mapping->nrpages;

	truncate_pagecache_range(inode, start, end);
	lxtmp_uncharge(inode->i_sb, before - inode->i_mapping->nrpages);
}

static int lxtmp_setattr(struct mnt_idmap *idmap, struct dentry *dentry,
			 struct iattr *attr)
{
	struct inode *inode = d_inode(dentry);
	unsigned long before = inode->i_mapping->nrpages;
	/* truncate(2) asks for no times, but a new size sets mtime and
	 * ctime, as shmem_setattr does (simple_setattr left them) */
	bool resized = S_ISREG(inode->i_mode) && (attr->ia_valid & ATTR_SIZE) &&
		       attr->ia_size != i_size_read(inode);
	int err = simple_setattr(idmap, dentry, attr);

	if (!err && resized)
		inode_set_mtime_to_ts(inode, inode_set_ctime_current(inode));
	if (before > inode->i_mapping->nrpages)
		lxtmp_uncharge(inode->i_sb,
			       before - inode->i_mapping->nrpages);
	/* an access ACL follows the mode's permission bits */
	if (!err && (attr->ia_valid & ATTR_MODE))
		err = posix_acl_chmod(idmap, dentry, inode->i_mode);
	return err;
}

/*
 * Make the pages of [pos, pos + len) exist, zeroed where new. The charge
 * for all missing pages is taken first, so a request that does not fit
 * fails with ENOSPC before anything is allocated, as on Linux.
 */
static int lxtmp_alloc_range(struct inode *inode, loff_t pos, loff_t len)
{
	struct address_space *mapping = inode->i_mapping;
	pgoff_t first = pos >> PAGE_SHIFT, last = (pos + len - 1) >> PAGE_SHIFT;
	unsigned long missing = 0, index;
	struct folio *folio;
	int err;

	/*
	 * Even with every cached page inside the range, the rest cannot
	 * fit: ENOSPC now. Counting a huge range page by page took ~28 s a
	 * TiB, with every other guest call waiting for the kernel.
	 */
	if (last - first + 1 > mapping->nrpages + lxtmp_room(inode->i_sb))
		return -ENOSPC;
	for (index = first; index <= last; index++) {
		folio = filemap_get_folio(mapping, index);
		if (IS_ERR(folio))
			missing++;
		else
			folio_put(folio);
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	err = lxtmp_charge(inode->i_sb, missing);
	if (err)
		return err;
	for (index = first; index <= last && missing; index++) {
		folio = filemap_get_folio(mapping, index);
		if (!IS_ERR(folio)) {
			folio_put(folio);
			continue;
		}
		folio = __filemap_get_folio(mapping, index,
					    FGP_LOCK | FGP_CREAT | FGP_WRITE,
					    mapping_gfp_mask(mapping));
		if (IS_ERR(folio)) {
			lxtmp_uncharge(inode->i_sb, missing);
			return PTR_ERR(folio);
		}
		missing--;
		if (!folio_test_uptodate(folio)) {
			folio_zero_range(folio, 0, folio_size(folio));
			folio_mark_uptodate(folio);
		}
		folio_mark_dirty(folio);
		folio_unlock(folio);
		folio_put(folio);
		cond_resched();
	}
	lxtmp_uncharge(inode->i_sb, missing); /* none unless raced */
	return 0;
}

/* Zero [start, end), which lies within one page, if that page exists. */
static void lxtmp_zero_part(struct inode *inode, loff_t start, loff_t end)
{
	struct folio *folio;

	if (start >= end)
		return;
	folio = filemap_lock_folio(inode->i_mapping, start >> PAGE_SHIFT);
	if (IS_ERR(folio))
		return;
	folio_zero_range(folio, offset_in_page(start), end - start);
	folio_mark_dirty(folio);
	folio_unlock(folio);
	folio_put(folio);
}

static long lxtmp_fallocate(struct file *file, int mode, loff_t pos,
			    loff_t len)
{
	struct inode *inode = file_inode(file);
	loff_t end = pos + len;
	long err;

	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
		return -EOPNOTSUPP;
	inode_lock(inode);
	if (mode & FALLOC_FL_PUNCH_HOLE) {
		loff_t whole_from = round_up(pos, PAGE_SIZE);
		loff_t whole_to = round_down(end, PAGE_SIZE);

		if (whole_from < whole_to) {
			lxtmp_drop_range(inode, whole_from, whole_to - 1);
			lxtmp_zero_part(inode, pos, whole_from);
			lxtmp_zero_part(inode, whole_to, end);
		} else if (round_down(pos, PAGE_SIZE) ==
			   round_down(end - 1, PAGE_SIZE)) {
			lxtmp_zero_part(inode, pos, end);
		} else {
			/* two partial pages, meeting at a page boundary */
			lxtmp_zero_part(inode, pos, whole_from);
			lxtmp_zero_part(inode, whole_from, end);
		}
	} else {
		err = inode_newsize_ok(inode, end);
		if (!err)
			err = lxtmp_alloc_range(inode, pos, len);
		if (err)
			goto out;
		if (!(mode & FALLOC_FL_KEEP_SIZE) && end > i_size_read(inode))
			i_size_write(inode, end);
	}
	inode_set_mtime_to_ts(inode, inode_set_ctime_current(inode));
	err = 0;
out:
	inode_unlock(inode);
	return err;
}

/*
 * SEEK_DATA and SEEK_HOLE from the page cache, as shmem answers them: a
 * range never written is a hole (the whole file was data, so `cp
 * --sparse`, tar -S and SEEK_HOLE users copied /tmp's sparse files whole).
 * Fallocated ranges are zeroed pages here, so they count as data.
 */
static loff_t lxtmp_llseek(struct file *file, loff_t offset, int whence)
{
	struct inode *inode = file->f_mapping->host;

	if (whence != SEEK_DATA && whence != SEEK_HOLE)
		return generic_file_llseek(file, offset, whence);
	if (offset < 0)
		return -ENXIO;
	inode_lock(inode);
	offset = mapping_seek_hole_data(file->f_mapping, offset,
					i_size_read(inode), whence);
	if (offset >= 0)
		offset = vfs_setpos(file, offset, MAX_LFS_FILESIZE);
	inode_unlock(inode);
	return offset;
}

static const struct file_operations lxtmp_file_operations = {
	.read_iter	= lxtmp_read_iter,
	.write_iter	= generic_file_write_iter,
	.splice_read	= copy_splice_read,
	.splice_write	= iter_file_splice_write,
	.llseek		= lxtmp_llseek,
	.fsync		= noop_fsync,
	.fallocate	= lxtmp_fallocate,
};

/*
 * Extended attributes: security.*, trusted.* and user.* (the VFS keeps
 * user.* to files and directories), and POSIX ACLs through the VFS's
 * cached ACLs (simple_set_acl), as tmpfs has them. They were EOPNOTSUPP:
 * `mv` into /tmp dropped a file's xattrs, `cp -a` its ACLs. Their bytes
 * count against a sixteenth of the instance's size.
 */
static long lxtmp_xattr_room(struct super_block *sb)
{
	return (long)((LXTMP(sb)->max_pages << PAGE_SHIFT) / 16);
}

static int lxtmp_xattr_get(const struct xattr_handler *handler,
			   struct dentry *unused, struct inode *inode,
			   const char *name, void *buffer, size_t size)
{
	return simple_xattr_get(&LXTMP_I(inode)->xattrs,
				xattr_full_name(handler, name), buffer, size);
}

static int lxtmp_xattr_set(const struct xattr_handler *handler,
			   struct mnt_idmap *idmap, struct dentry *unused,
			   struct inode *inode, const char *name,
			   const void *value, size_t size, int flags)
{
	struct lxtmp_info *fi = LXTMP(inode->i_sb);
	const char *full = xattr_full_name(handler, name);
	long charge = value ? (long)simple_xattr_space(full, size) : 0;
	struct simple_xattr *old;

	if (charge && atomic_long_add_return(charge, &fi->xattr_bytes) >
			      lxtmp_xattr_room(inode->i_sb)) {
		atomic_long_sub(charge, &fi->xattr_bytes);
		return -ENOSPC;
	}
	old = simple_xattr_set(&LXTMP_I(inode)->xattrs, full, value, size,
			       flags);
	if (IS_ERR(old)) {
		atomic_long_sub(charge, &fi->xattr_bytes);
		return PTR_ERR(old);
	}
	if (old) {
		atomic_long_sub(simple_xattr_space(old->name, old->size),
				&fi->xattr_bytes);
		simple_xattr_free(old);
	}
	inode_set_ctime_current(inode);
	inode_inc_iversion(inode);
	return 0;
}

static const struct xattr_handler lxtmp_security_xattrs = {
	.prefix	= XATTR_SECURITY_PREFIX,
	.get	= lxtmp_xattr_get,
	.set	= lxtmp_xattr_set,
};

static const struct xattr_handler lxtmp_trusted_xattrs = {
	.prefix	= XATTR_TRUSTED_PREFIX,
	.get	= lxtmp_xattr_get,
	.set	= lxtmp_xattr_set,
};

static const struct xattr_handler lxtmp_user_xattrs = {
	.prefix	= XATTR_USER_PREFIX,
	.get	= lxtmp_xattr_get,
	.set	= lxtmp_xattr_set,
};

static const struct xattr_handler * const lxtmp_xattr_handlers[] = {
	&lxtmp_security_xattrs,
	&lxtmp_trusted_xattrs,
	&lxtmp_user_xattrs,
	NULL
};

static ssize_t lxtmp_listxattr(struct dentry *dentry, char *buffer,
			       size_t size)
{
	struct inode *inode = d_inode(dentry);

	return simple_xattr_list(inode, &LXTMP_I(inode)->xattrs, buffer, size);
}

/*
 * chattr's flags, as tmpfs keeps them: append-only, immutable, nodump and
 * noatime may be set (the VFS enforces the first two through i_flags);
 * nodump and noatime pass from a directory to what is made in it.
 */
#define LXTMP_FL_MODIFIABLE \
	(FS_IMMUTABLE_FL | FS_APPEND_FL | FS_NODUMP_FL | FS_NOATIME_FL)
#define LXTMP_FL_INHERITED	(FS_NODUMP_FL | FS_NOATIME_FL)

static void lxtmp_set_inode_flags(struct inode *inode, unsigned int fsflags)
{
	unsigned int i_flags = 0;

	if (fsflags & FS_NOATIME_FL)
		i_flags |= S_NOATIME;
	if (fsflags & FS_APPEND_FL)
		i_flags |= S_APPEND;
	if (fsflags & FS_IMMUTABLE_FL)
		i_flags |= S_IMMUTABLE;
	inode_set_flags(inode, i_flags, S_NOATIME | S_APPEND | S_IMMUTABLE);
}

static int lxtmp_fileattr_get(struct dentry *dentry, struct fileattr *fa)
{
	fileattr_fill_flags(fa, LXTMP_I(d_inode(dentry))->fsflags &
				FS_FL_USER_VISIBLE);
	return 0;
}

/* CAP_LINUX_IMMUTABLE for +i/+a is the VFS's check (vfs_fileattr_set). */
static int lxtmp_fileattr_set(struct mnt_idmap *idmap, struct dentry *dentry,
			      struct fileattr *fa)
{
	struct inode *inode = d_inode(dentry);
	struct lxtmp_inode *li = LXTMP_I(inode);

	if (fileattr_has_fsx(fa) || (fa->flags & ~LXTMP_FL_MODIFIABLE))
		return -EOPNOTSUPP;
	li->fsflags = (li->fsflags & ~LXTMP_FL_MODIFIABLE) |
		      (fa->flags & LXTMP_FL_MODIFIABLE);
	lxtmp_set_inode_flags(inode, li->fsflags);
	inode_set_ctime_current(inode);
	inode_inc_iversion(inode);
	return 0;
}

/*
 * simple_getattr plus the birth time (statx STATX_BTIME, stat -c %w) and
 * the chattr flags statx reports.
 */
static int lxtmp_getattr(struct mnt_idmap *idmap, const struct path *path,
			 struct kstat *stat, u32 request_mask,
			 unsigned int query_flags)
{
	struct inode *inode = d_inode(path->dentry);
	unsigned int fl = LXTMP_I(inode)->fsflags;
	int err = simple_getattr(idmap, path, stat, request_mask, query_flags);

	if (err)
		return err;
	if (request_mask & STATX_BTIME) {
		stat->result_mask |= STATX_BTIME;
		stat->btime = LXTMP_I(inode)->crtime;
	}
	if (fl & FS_APPEND_FL)
		stat->attributes |= STATX_ATTR_APPEND;
	if (fl & FS_IMMUTABLE_FL)
		stat->attributes |= STATX_ATTR_IMMUTABLE;
	if (fl & FS_NODUMP_FL)
		stat->attributes |= STATX_ATTR_NODUMP;
	stat->attributes_mask |= STATX_ATTR_APPEND | STATX_ATTR_IMMUTABLE |
				 STATX_ATTR_NODUMP;
	return 0;
}

static const struct inode_operations lxtmp_file_inode_operations = {
	.setattr	= lxtmp_setattr,
	.getattr	= lxtmp_getattr,
	.listxattr	= lxtmp_listxattr,
	.set_acl	= simple_set_acl,
	.fileattr_get	= lxtmp_fileattr_get,
	.fileattr_set	= lxtmp_fileattr_set,
};

static const struct inode_operations lxtmp_special_inode_operations = {
	.setattr	= lxtmp_setattr,
	.getattr	= lxtmp_getattr,
	.listxattr	= lxtmp_listxattr,
	.set_acl	= simple_set_acl,
};

static const struct inode_operations lxtmp_symlink_inode_operations = {
	.get_link	= simple_get_link,
	.getattr	= lxtmp_getattr,
	.listxattr	= lxtmp_listxattr,
};

/* --- inodes and directories --- */

static const struct inode_operations lxtmp_dir_inode_operations;

static struct inode *lxtmp_get_inode(struct super_block *sb,
				     const struct inode *dir, umode_t mode,
				     dev_t dev)
{
	struct lxtmp_info *fi = LXTMP(sb);
	struct inode *inode;

	if (atomic_long_inc_return(&fi->used_inodes) > fi->max_inodes) {
		atomic_long_dec(&fi->used_inodes);
		return ERR_PTR(-ENOSPC);
	}
	inode = new_inode(sb);
	if (!inode) {
		atomic_long_dec(&fi->used_inodes);
		return ERR_PTR(-ENOMEM);
	}
	inode->i_ino = get_next_ino();
	inode->i_generation = get_random_u32();	/* in file handles */
	inode_init_owner(&nop_mnt_idmap, inode, dir, mode);
	inode->i_mapping->a_ops = &lxtmp_aops;
	mapping_set_gfp_mask(inode->i_mapping, GFP_HIGHUSER);
	mapping_set_unevictable(inode->i_mapping);
	LXTMP_I(inode)->crtime = simple_inode_init_ts(inode);
	/* no ACLs until simple_acl_create gives some: an uncached one is
	 * listed by listxattr (the root and symlinks named both ACLs) */
	cache_no_acl(inode);
	if (dir) {
		LXTMP_I(inode)->fsflags = LXTMP_I((struct inode *)dir)->fsflags &
					  LXTMP_FL_INHERITED;
		lxtmp_set_inode_flags(inode, LXTMP_I(inode)->fsflags);
	}
	switch (mode & S_IFMT) {
	case S_IFREG:
		inode->i_op = &lxtmp_file_inode_operations;
		inode->i_fop = &lxtmp_file_operations;
		break;
	case S_IFDIR:
		inode->i_op = &lxtmp_dir_inode_operations;
		inode->i_fop = &simple_dir_operations;
		inc_nlink(inode);	/* "." */
		inode->i_size = 2 * LXTMP_DIRENT_SIZE;	/* "." and ".." */
		break;
	case S_IFLNK:
		inode->i_op = &lxtmp_symlink_inode_operations;
		break;
	default:
		inode->i_op = &lxtmp_special_inode_operations;
		init_special_inode(inode, mode, dev);
		break;
	}
	return inode;
}

static int lxtmp_mknod(struct mnt_idmap *idmap, struct inode *dir,
		       struct dentry *dentry, umode_t mode, dev_t dev)
{
	struct inode *inode = lxtmp_get_inode(dir->i_sb, dir, mode, dev);
	int err;

	if (IS_ERR(inode))
		return PTR_ERR(inode);
	/* the directory's default ACL, or the umask (SB_POSIXACL) */
	err = simple_acl_create(dir, inode);
	if (err) {
		iput(inode);
		return err;
	}
	d_instantiate(dentry, inode);
	dget(dentry);	/* pinned: the dentry is the only link to it */
	dir->i_size += LXTMP_DIRENT_SIZE;
	inode_set_mtime_to_ts(dir, inode_set_ctime_current(dir));
	return 0;
}

static int lxtmp_mkdir(struct mnt_idmap *idmap, struct inode *dir,
		       struct dentry *dentry, umode_t mode)
{
	int err = lxtmp_mknod(idmap, dir, dentry, mode | S_IFDIR, 0);

	if (!err)
		inc_nlink(dir);
	return err;
}

static int lxtmp_create(struct mnt_idmap *idmap, struct inode *dir,
			struct dentry *dentry, umode_t mode, bool excl)
{
	return lxtmp_mknod(idmap, dir, dentry, mode | S_IFREG, 0);
}

static int lxtmp_symlink(struct mnt_idmap *idmap, struct inode *dir,
			 struct dentry *dentry, const char *symname)
{
	size_t len = strlen(symname);
	struct inode *inode;

	if (len >= PAGE_SIZE)
		return -ENAMETOOLONG;
	inode = lxtmp_get_inode(dir->i_sb, dir, S_IFLNK | 0777, 0);
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	/* The target lives with the inode, as tmpfs keeps short ones. */
	inode->i_link = kmemdup(symname, len + 1, GFP_KERNEL);
	if (!inode->i_link) {
		iput(inode);
		return -ENOMEM;
	}
	i_size_write(inode, len);
	d_instantiate(dentry, inode);
	dget(dentry);
	dir->i_size += LXTMP_DIRENT_SIZE;
	inode_set_mtime_to_ts(dir, inode_set_ctime_current(dir));
	return 0;
}

static int lxtmp_tmpfile(struct mnt_idmap *idmap, struct inode *dir,
			 struct file *file, umode_t mode)
{
	struct inode *inode = lxtmp_get_inode(dir->i_sb, dir, mode, 0);
	int err;

	if (IS_ERR(inode))
		return PTR_ERR(inode);
	err = simple_acl_create(dir, inode);
	if (err) {
		iput(inode);
		return err;
	}
	d_tmpfile(file, inode);
	return finish_open_simple(file, 0);
}

static int lxtmp_link(struct dentry *old_dentry, struct inode *dir,
		      struct dentry *dentry)
{
	int err = simple_link(old_dentry, dir, dentry);

	if (!err)
		dir->i_size += LXTMP_DIRENT_SIZE;
	return err;
}

static int lxtmp_unlink(struct inode *dir, struct dentry *dentry)
{
	int err = simple_unlink(dir, dentry);

	if (!err)
		dir->i_size -= LXTMP_DIRENT_SIZE;
	return err;
}

static int lxtmp_rmdir(struct inode *dir, struct dentry *dentry)
{
	int err = simple_rmdir(dir, dentry);

	if (!err)
		dir->i_size -= LXTMP_DIRENT_SIZE;
	return err;
}

/*
 * RENAME_WHITEOUT (overlayfs's upper layer, or a caller with CAP_MKNOD):
 * a 0/0 character device takes the old name. It is made before the move
 * and hashed beside the old dentry, which the move then unhashes.
 */
static int lxtmp_whiteout(struct mnt_idmap *idmap, struct inode *old_dir,
			  struct dentry *old_dentry)
{
	struct dentry *wh = d_alloc(old_dentry->d_parent, &old_dentry->d_name);
	int err;

	if (!wh)
		return -ENOMEM;
	err = lxtmp_mknod(idmap, old_dir, wh, S_IFCHR | WHITEOUT_MODE,
			  WHITEOUT_DEV);
	dput(wh);
	if (!err)
		d_rehash(wh);
	return err;
}

static int lxtmp_rename(struct mnt_idmap *idmap, struct inode *old_dir,
			struct dentry *old_dentry, struct inode *new_dir,
			struct dentry *new_dentry, unsigned int flags)
{
	bool replaced = d_really_is_positive(new_dentry);
	int err;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if (flags & RENAME_WHITEOUT) {
		/* the checks simple_rename would fail, before the whiteout */
		if (!simple_empty(new_dentry))
			return -ENOTEMPTY;
		err = lxtmp_whiteout(idmap, old_dir, old_dentry);
		if (err)
			return err;
		flags &= ~RENAME_WHITEOUT;
	}
	err = simple_rename(idmap, old_dir, old_dentry, new_dir, new_dentry,
			    flags);

	if (err || (flags & RENAME_EXCHANGE))
		return err;
	old_dir->i_size -= LXTMP_DIRENT_SIZE;
	if (!replaced)
		new_dir->i_size += LXTMP_DIRENT_SIZE;
	return 0;
}

static const struct inode_operations lxtmp_dir_inode_operations = {
	.create		= lxtmp_create,
	.lookup		= simple_lookup,
	.link		= lxtmp_link,
	.unlink		= lxtmp_unlink,
	.symlink	= lxtmp_symlink,
	.mkdir		= lxtmp_mkdir,
	.rmdir		= lxtmp_rmdir,
	.mknod		= lxtmp_mknod,
	.rename		= lxtmp_rename,
	.tmpfile	= lxtmp_tmpfile,
	.setattr	= lxtmp_setattr,
	.getattr	= lxtmp_getattr,
	.listxattr	= lxtmp_listxattr,
	.set_acl	= simple_set_acl,
	.fileattr_get	= lxtmp_fileattr_get,
	.fileattr_set	= lxtmp_fileattr_set,
};

static void lxtmp_evict_inode(struct inode *inode)
{
	size_t freed = 0;

	simple_xattrs_free(&LXTMP_I(inode)->xattrs, &freed);
	atomic_long_sub((long)freed, &LXTMP(inode->i_sb)->xattr_bytes);
	lxtmp_uncharge(inode->i_sb, inode->i_mapping->nrpages);
	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
	atomic_long_dec(&LXTMP(inode->i_sb)->used_inodes);
}

static struct inode *lxtmp_alloc_inode(struct super_block *sb)
{
	struct lxtmp_inode *li = alloc_inode_sb(sb, lxtmp_inode_cache,
						GFP_KERNEL);

	if (!li)
		return NULL;
	simple_xattrs_init(&li->xattrs);
	return &li->vfs_inode;
}

static void lxtmp_free_inode(struct inode *inode)
{
	if (S_ISLNK(inode->i_mode))
		kfree(inode->i_link);
	kmem_cache_free(lxtmp_inode_cache, LXTMP_I(inode));
}

static int lxtmp_statfs(struct dentry *dentry, struct kstatfs *buf)
{
	struct lxtmp_info *fi = LXTMP(dentry->d_sb);
	long used = atomic_long_read(&fi->used_pages);
	long room = (long)lxtmp_global_max() - atomic_long_read(&lxtmp_pinned);
	long free = (long)fi->max_pages - used;

	buf->f_type = TMPFS_MAGIC;
	buf->f_bsize = PAGE_SIZE;
	buf->f_namelen = NAME_MAX;
	buf->f_blocks = fi->max_pages;
	buf->f_bfree = buf->f_bavail = max(0L, min(free, room));
	buf->f_files = fi->max_inodes;
	buf->f_ffree = fi->max_inodes - atomic_long_read(&fi->used_inodes);
	return 0;
}

static int lxtmp_show_options(struct seq_file *m, struct dentry *root)
{
	struct lxtmp_info *fi = LXTMP(root->d_sb);

	if (fi->max_pages != lxtmp_default_pages())
		seq_printf(m, ",size=%luk", fi->max_pages << (PAGE_SHIFT - 10));
	if (fi->max_inodes != lxtmp_default_inodes())
		seq_printf(m, ",nr_inodes=%lu", fi->max_inodes);
	if (fi->mode != (0777 | S_ISVTX))
		seq_printf(m, ",mode=%03o", fi->mode);
	if (!uid_eq(fi->uid, GLOBAL_ROOT_UID))
		seq_printf(m, ",uid=%u", from_kuid_munged(&init_user_ns, fi->uid));
	if (!gid_eq(fi->gid, GLOBAL_ROOT_GID))
		seq_printf(m, ",gid=%u", from_kgid_munged(&init_user_ns, fi->gid));
	return 0;
}

static const struct super_operations lxtmp_ops = {
	.alloc_inode	= lxtmp_alloc_inode,
	.statfs		= lxtmp_statfs,
	.drop_inode	= generic_delete_inode,
	.evict_inode	= lxtmp_evict_inode,
	.free_inode	= lxtmp_free_inode,
	.show_options	= lxtmp_show_options,
};

/* --- file handles (name_to_handle_at), as tmpfs gives them --- */

/*
 * A handle is the generation, then the inode number's low and high
 * words: the type and layout shmem uses (FILEID_INO32_GEN's number), so
 * a handle looks the same to the guest as on Linux. Inodes are hashed
 * the first time one is asked for, under number + generation, so that a
 * handle finds its inode while it lives and ESTALE after.
 */
static int lxtmp_handle_match(struct inode *inode, void *data)
{
	u32 *fh = data;

	return inode->i_ino == (((u64)fh[2] << 32) | fh[1]) &&
	       inode->i_generation == fh[0];
}

static int lxtmp_encode_fh(struct inode *inode, u32 *fh, int *len,
			   struct inode *parent)
{
	static DEFINE_SPINLOCK(hash_lock);

	if (*len < 3) {
		*len = 3;
		return FILEID_INVALID;
	}
	spin_lock(&hash_lock);
	if (inode_unhashed(inode))
		__insert_inode_hash(inode, inode->i_ino + inode->i_generation);
	spin_unlock(&hash_lock);
	fh[0] = inode->i_generation;
	fh[1] = (u32)inode->i_ino;
	fh[2] = (u32)((u64)inode->i_ino >> 32);
	*len = 3;
	return FILEID_INO32_GEN;
}

static struct dentry *lxtmp_fh_to_dentry(struct super_block *sb,
					 struct fid *fid, int len, int type)
{
	struct dentry *d = NULL;
	struct inode *inode;
	u64 ino;

	if (len < 3)
		return NULL;
	ino = ((u64)fid->raw[2] << 32) | fid->raw[1];
	inode = ilookup5(sb, (unsigned long)(ino + fid->raw[0]),
			 lxtmp_handle_match, fid->raw);
	if (inode) {
		d = d_find_alias(inode) ?: d_find_any_alias(inode);
		iput(inode);
	}
	return d;
}

/* no way up from a handle: ESTALE, as tmpfs */
static struct dentry *lxtmp_get_parent(struct dentry *child)
{
	return ERR_PTR(-ESTALE);
}

static const struct export_operations lxtmp_export_ops = {
	.encode_fh	= lxtmp_encode_fh,
	.fh_to_dentry	= lxtmp_fh_to_dentry,
	.get_parent	= lxtmp_get_parent,
};

/* --- mounting --- */

enum {
	Opt_size, Opt_nr_blocks, Opt_nr_inodes, Opt_mode, Opt_uid, Opt_gid,
	Opt_ignored,
};

static const struct constant_table lxtmp_huge_values[] = {
	{ "never", 0 }, { "always", 1 }, { "within_size", 2 }, { "advise", 3 },
	{}
};

static const struct fs_parameter_spec lxtmp_params[] = {
	fsparam_string("size",		Opt_size),
	fsparam_string("nr_blocks",	Opt_nr_blocks),
	fsparam_string("nr_inodes",	Opt_nr_inodes),
	fsparam_u32oct("mode",		Opt_mode),
	fsparam_u32("uid",		Opt_uid),
	fsparam_u32("gid",		Opt_gid),
	/* accepted as on Linux; nothing here for them to change */
	fsparam_enum("huge",		Opt_ignored, lxtmp_huge_values),
	fsparam_string("mpol",		Opt_ignored),
	fsparam_flag("inode32",		Opt_ignored),
	fsparam_flag("inode64",		Opt_ignored),
	fsparam_flag("noswap",		Opt_ignored),
	{}
};

/* NUMBER[kKmMgGtTpPeE] or, for size=, NUMBER% of RAM. */
static int lxtmp_parse_count(struct fs_context *fc, const char *s,
			     bool percent_ok, unsigned long long *out)
{
	char *rest;
	unsigned long long v = memparse(s, &rest);

	if (*rest == '%' && percent_ok && !rest[1] && rest != s) {
		if (v > 100)
			return invalfc(fc, "size= above 100%%");
		*out = (u64)totalram_pages() * v / 100 << PAGE_SHIFT;
		return 0;
	}
	if (*rest || rest == s)
		return invalfc(fc, "Bad value '%s'", s);
	*out = v;
	return 0;
}

static int lxtmp_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	struct lxtmp_ctx *ctx = fc->fs_private;
	struct fs_parse_result r;
	unsigned long long v;
	int opt, err;

	opt = fs_parse(fc, lxtmp_params, param, &r);
	if (opt == -ENOPARAM) {
		opt = vfs_parse_fs_param_source(fc, param);
		if (opt != -ENOPARAM)
			return opt;
		return invalfc(fc, "Unknown parameter '%s'", param->key);
	}
	if (opt < 0)
		return opt;
	switch (opt) {
	case Opt_size:
		err = lxtmp_parse_count(fc, param->string, true, &v);
		if (err)
			return err;
		ctx->opt.max_pages = DIV_ROUND_UP_ULL(v, PAGE_SIZE);
		ctx->has_size = true;
		break;
	case Opt_nr_blocks:
		err = lxtmp_parse_count(fc, param->string, false, &v);
		if (err)
			return err;
		ctx->opt.max_pages = v;
		ctx->has_size = true;
		break;
	case Opt_nr_inodes:
		err = lxtmp_parse_count(fc, param->string, false, &v);
		if (err)
			return err;
		ctx->opt.max_inodes = v;
		ctx->has_inodes = true;
		break;
	case Opt_mode:
		ctx->opt.mode = r.uint_32 & 07777;
		ctx->has_mode = true;
		break;
	case Opt_uid:
		ctx->opt.uid = make_kuid(current_user_ns(), r.uint_32);
		if (!uid_valid(ctx->opt.uid))
			return invalfc(fc, "Invalid uid '%u'", r.uint_32);
		ctx->has_uid = true;
		break;
	case Opt_gid:
		ctx->opt.gid = make_kgid(current_user_ns(), r.uint_32);
		if (!gid_valid(ctx->opt.gid))
			return invalfc(fc, "Invalid gid '%u'", r.uint_32);
		ctx->has_gid = true;
		break;
	}
	return 0;
}

/* 0 stands for "no limit" on Linux; here RAM is the limit either way. */
static void lxtmp_fix_limits(struct lxtmp_info *fi)
{
	if (!fi->max_pages)
		fi->max_pages = totalram_pages();
	if (!fi->max_inodes)
		fi->max_inodes = ULONG_MAX / 2;
}

static int lxtmp_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct lxtmp_ctx *ctx = fc->fs_private;
	struct lxtmp_info *fi;
	struct inode *inode;

	fi = kzalloc(sizeof(*fi), GFP_KERNEL);
	if (!fi)
		return -ENOMEM;
	fi->max_pages = ctx->opt.max_pages;
	fi->max_inodes = ctx->opt.max_inodes;
	fi->mode = ctx->opt.mode;
	fi->uid = ctx->opt.uid;
	fi->gid = ctx->opt.gid;
	lxtmp_fix_limits(fi);
	sb->s_fs_info = fi;
	sb->s_maxbytes = MAX_LFS_FILESIZE;
	sb->s_blocksize = PAGE_SIZE;
	sb->s_blocksize_bits = PAGE_SHIFT;
	sb->s_magic = TMPFS_MAGIC;
	sb->s_op = &lxtmp_ops;
	sb->s_export_op = &lxtmp_export_ops;
	sb->s_xattr = lxtmp_xattr_handlers;
	sb->s_flags |= SB_POSIXACL;
	sb->s_time_gran = 1;
	/* a random UUID per mount, as shmem's (FS_IOC_GETFSUUID, statx) */
	uuid_t uuid;
	uuid_gen(&uuid);
	super_set_uuid(sb, uuid.b, sizeof(uuid));
	/* a change counter, so kbox's copies of files see every change */
	sb->s_flags |= SB_I_VERSION;

	inode = lxtmp_get_inode(sb, NULL, S_IFDIR | fi->mode, 0);
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	inode->i_uid = fi->uid;
	inode->i_gid = fi->gid;
	sb->s_root = d_make_root(inode);
	return sb->s_root ? 0 : -ENOMEM;
}

static int lxtmp_get_tree(struct fs_context *fc)
{
	return get_tree_nodev(fc, lxtmp_fill_super);
}

static int lxtmp_reconfigure(struct fs_context *fc)
{
	struct lxtmp_ctx *ctx = fc->fs_private;
	struct lxtmp_info *fi = LXTMP(fc->root->d_sb);
	struct lxtmp_info n = *fi;

	if (ctx->has_size)
		n.max_pages = ctx->opt.max_pages;
	if (ctx->has_inodes)
		n.max_inodes = ctx->opt.max_inodes;
	lxtmp_fix_limits(&n);
	if (n.max_pages < atomic_long_read(&fi->used_pages))
		return invalfc(fc, "Too small a size for current use");
	if (n.max_inodes < atomic_long_read(&fi->used_inodes))
		return invalfc(fc, "Too few inodes for current use");
	fi->max_pages = n.max_pages;
	fi->max_inodes = n.max_inodes;
	/* mode, uid and gid belong to the root; a remount leaves them */
	return 0;
}

static void lxtmp_free_fc(struct fs_context *fc)
{
	kfree(fc->fs_private);
}

static const struct fs_context_operations lxtmp_context_ops = {
	.free		= lxtmp_free_fc,
	.parse_param	= lxtmp_parse_param,
	.get_tree	= lxtmp_get_tree,
	.reconfigure	= lxtmp_reconfigure,
};

static int lxtmp_init_fs_context(struct fs_context *fc)
{
	struct lxtmp_ctx *ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	ctx->opt.max_pages = lxtmp_default_pages();
	ctx->opt.max_inodes = lxtmp_default_inodes();
	ctx->opt.mode = 0777 | S_ISVTX;
	ctx->opt.uid = current_fsuid();
	ctx->opt.gid = current_fsgid();
	fc->fs_private = ctx;
	fc->ops = &lxtmp_context_ops;
	return 0;
}

static void lxtmp_kill_sb(struct super_block *sb)
{
	kill_litter_super(sb);
	kfree(sb->s_fs_info);
}

static struct file_system_type lxtmp_fs_type = {
	.name			= "tmpfs",
	.init_fs_context	= lxtmp_init_fs_context,
	.parameters		= lxtmp_params,
	.kill_sb		= lxtmp_kill_sb,
	.fs_flags		= FS_USERNS_MOUNT,
};

/* Not registered: devtmpfs.c mounts its one instance through it. */
struct file_system_type lxtmp_devtmpfs_type = {
	.name			= "devtmpfs",
	.init_fs_context	= lxtmp_init_fs_context,
	.parameters		= lxtmp_params,
	.kill_sb		= lxtmp_kill_sb,
};

static void lxtmp_inode_once(void *p)
{
	struct lxtmp_inode *li = p;

	inode_init_once(&li->vfs_inode);
}

static int __init lxtmp_init(void)
{
	struct file_system_type *old = get_fs_type("tmpfs");

	lxtmp_inode_cache = kmem_cache_create("lxtmp_inode",
					      sizeof(struct lxtmp_inode), 0,
					      SLAB_RECLAIM_ACCOUNT | SLAB_PANIC,
					      lxtmp_inode_once);

	/* mm/shmem.c registered the ramfs-backed "tmpfs"; take its name */
	if (old) {
		unregister_filesystem(old);
		put_filesystem(old);
	}
	return register_filesystem(&lxtmp_fs_type);
}
fs_initcall(lxtmp_init);
