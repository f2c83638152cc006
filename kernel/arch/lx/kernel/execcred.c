// SPDX-License-Identifier: GPL-2.0
/*
 * What exec does to credentials, for a program the host runs from a
 * copy: the set-user-ID and set-group-ID bits and commoncap's rules. The
 * new credentials are prepared when the exec is asked for and committed
 * only once the host's exec has succeeded, or dropped: a failed exec
 * must not leave the caller with the program's privileges.
 */
#include <linux/binfmts.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/personality.h>
#include <linux/sched/coredump.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <asm/lx_host.h>
#include "lx.h"

/* fs/exec.c's bprm_fill_uid(), which is static there. */
static void lx_fill_uid(struct linux_binprm *bprm, struct file *file)
{
	struct mnt_idmap *idmap = file_mnt_idmap(file);
	struct inode *inode = file_inode(file);
	unsigned int mode;
	vfsuid_t vfsuid;
	vfsgid_t vfsgid;
	int err;

	if (!mnt_may_suid(file->f_path.mnt) || task_no_new_privs(current))
		return;
	if (!(READ_ONCE(inode->i_mode) & (S_ISUID | S_ISGID)))
		return;
	inode_lock(inode);
	mode = inode->i_mode;
	vfsuid = i_uid_into_vfsuid(idmap, inode);
	vfsgid = i_gid_into_vfsgid(idmap, inode);
	err = inode_permission(idmap, inode, MAY_EXEC);
	inode_unlock(inode);
	if (err)
		return;
	if (!vfsuid_has_mapping(bprm->cred->user_ns, vfsuid) ||
	    !vfsgid_has_mapping(bprm->cred->user_ns, vfsgid))
		return;
	if (mode & S_ISUID) {
		bprm->per_clear |= PER_CLEAR_ON_SETID;
		bprm->cred->euid = vfsuid_into_kuid(vfsuid);
	}
	if ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP)) {
		bprm->per_clear |= PER_CLEAR_ON_SETID;
		bprm->cred->egid = vfsgid_into_kgid(vfsgid);
	}
}

/* The credentials exec of the file at @fd would give: a handle. */
static long lx_creds_prepare(int fd, int __user *secure)
{
	struct linux_binprm *bprm;
	struct file *file = fget(fd);
	long err = -ENOMEM;

	if (!file)
		return -EBADF;
	bprm = kzalloc(sizeof(*bprm), GFP_KERNEL);
	if (!bprm)
		goto out;
	bprm->cred = prepare_exec_creds();
	if (!bprm->cred) {
		kfree(bprm);
		goto out;
	}
	lx_fill_uid(bprm, file);
	err = security_bprm_creds_from_file(bprm, file);
	if (err) {
		abort_creds(bprm->cred);
		kfree(bprm);
		goto out;
	}
	/* the host's pointer, as lx's memory is the host's */
	*(int *)secure = bprm->secureexec;
	err = (long)bprm;
out:
	fput(file);
	return err;
}

static long lx_creds_finish(struct linux_binprm *bprm, bool commit)
{
	if (!commit) {
		abort_creds(bprm->cred);
		kfree(bprm);
		return 0;
	}
	commit_creds(bprm->cred);
	kfree(bprm);
	/* as begin_new_exec: not dumpable once the ids differ */
	if (current->mm && (!uid_eq(current_euid(), current_uid()) ||
			    !gid_eq(current_egid(), current_gid())))
		set_dumpable(current->mm, suid_dumpable);
	return 0;
}

long lx_exec_creds(long cmd, long arg, long out)
{
	switch (cmd) {
	case LX_CREDS_PREPARE:
		return lx_creds_prepare((int)arg, (int __user *)out);
	case LX_CREDS_COMMIT:
		return lx_creds_finish((struct linux_binprm *)arg, true);
	case LX_CREDS_DROP:
		return lx_creds_finish((struct linux_binprm *)arg, false);
	default:
		return -EINVAL;
	}
}
