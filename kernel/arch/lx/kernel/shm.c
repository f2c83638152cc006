// SPDX-License-Identifier: GPL-2.0
/*
 * System V shared memory for the host side. A guest's segment must be
 * host memory, since only the host can map it into the guest, but its
 * name (key), owner and permissions belong to the guest's kernel: the
 * segment exists here too, under the host segment's id, so that the
 * guest passes one number to both kernels. The memory of the segment
 * here is never touched.
 */
#include <linux/cred.h>
#include <linux/ipc.h>
#include <linux/ipc_namespace.h>
#include <linux/nsproxy.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/shm.h>
#include <uapi/linux/shm.h>
#include <linux/stat.h>
#include <linux/syscalls.h>
#include <linux/uidgid.h>
#include <asm/lx_host.h>
#include "util.h"
#include "lx.h"

/* shmget() that, if it makes a segment, gives it the id @id. */
static long lx_shm_create(key_t key, size_t size, int flg, int id)
{
	struct ipc_ids *ids = &current->nsproxy->ipc_ns->ids[IPC_SHM_IDS];
	long ret;

	ids->next_id = id;
	ret = ksys_shmget(key, size, flg);
	ids->next_id = -1;
	return ret;
}

/* The access shmat() checks, as do_shmat() asks for it. */
static short lx_shm_access(int shmflg)
{
	short acc = 0444;

	if (!(shmflg & SHM_RDONLY))
		acc |= 0222;
	if (shmflg & SHM_EXEC)
		acc |= 0111;
	return acc;
}

static long lx_shm_may_attach(int id, int shmflg)
{
	struct ipc_namespace *ns = current->nsproxy->ipc_ns;
	struct kern_ipc_perm *ipcp;
	long ret;

	rcu_read_lock();
	ipcp = ipc_obtain_object_check(&ns->ids[IPC_SHM_IDS], id);
	if (IS_ERR(ipcp))
		ret = PTR_ERR(ipcp);
	else
		ret = ipcperms(ns, ipcp, lx_shm_access(shmflg)) ? -EACCES : 0;
	rcu_read_unlock();
	return ret;
}

/*
 * The checks of a segment removed here while the host still has it
 * attached (the guest may attach it, and ask about it, until the last
 * detach, as on Linux): @a holds the owner's uid and gid, the
 * creator's, and the mode it had. @what: LX_SHM_PERM_OWNER, may the
 * caller change or remove it; otherwise the shmat() flags to check.
 */
static long lx_shm_perm(const long *a, long what)
{
	struct ipc_namespace *ns = current->nsproxy->ipc_ns;
	struct user_namespace *uns = ns->user_ns;
	struct kern_ipc_perm perm = {
		.uid = make_kuid(uns, a[0]),
		.gid = make_kgid(uns, a[1]),
		.cuid = make_kuid(uns, a[2]),
		.cgid = make_kgid(uns, a[3]),
		.mode = a[4],
	};
	kuid_t euid = current_euid();

	if (what == LX_SHM_PERM_OWNER)
		return uid_eq(euid, perm.uid) || uid_eq(euid, perm.cuid) ||
		       ns_capable(uns, CAP_SYS_ADMIN) ? 0 : -EPERM;
	return ipcperms(ns, &perm, lx_shm_access(what)) ? -EACCES : 0;
}

long lx_shm_op(long cmd, const long *args)
{
	switch (cmd) {
	case LX_SHM_CREATE:
		return lx_shm_create(args[0], args[1], args[2], args[3]);
	case LX_SHM_MAY_ATTACH:
		return lx_shm_may_attach(args[0], args[1]);
	case LX_SHM_PERM:
		return lx_shm_perm(args, args[5]);
	default:
		return -EINVAL;
	}
}
