// SPDX-License-Identifier: GPL-2.0
/*
 * Readiness mirrors. A guest holds a host fd for every lx file it has
 * open; for files it may poll (inotify instances, FIFOs) that host fd is
 * the read end of a pipe which this code keeps readable exactly while the
 * lx file is readable. The guest's poll, select and epoll then run on the
 * host and see lx's readiness.
 *
 * A mirror sits on the file's poll wait queues like an epoll item does.
 * Its wake-up runs in the waker's context (the task that queued an
 * inotify event or wrote a FIFO), so the pipe is readable before that
 * task's syscall returns. Readiness going away is not signalled by the
 * file; the host asks for a re-check (LX_MIRROR_SYNC) after every read.
 *
 * A POSIX message queue's mirror is a stream socket pair instead, whose
 * read end also polls writable while the queue has room (mq_curmsgs <
 * mq_maxmsg): the read end's send buffer is filled (and so not writable)
 * while the queue is full, drained at the other end once it is not.
 * Queues wake their pollers on every send and on a receive that frees a
 * place, so other processes' sends and receives are seen too.
 *
 * The host may add readiness of its own ("ext": inotify events from host
 * directories it merges into the file's reads); the pipe is readable
 * while either says so.
 *
 * A mirror holds a reference to its file; LX_MIRROR_GC drops the mirrors
 * whose file nobody else holds any more, and closes their host fds.
 */
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/list.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <asm/lx_host.h>

#include "lx.h"

#define LX_MIRROR_HEADS	2	/* pipes wait on two queues */
#define LX_MIRROR_IN	(EPOLLIN | EPOLLRDNORM | EPOLLHUP | EPOLLERR)

struct lx_mirror {
	struct list_head list;
	struct file *file;
	int rfd, wfd;		/* the host pipe: drain end, signal end */
	bool ready;		/* the pipe holds a byte */
	bool ext;		/* the host's own readiness */
	bool out;		/* writability is mirrored too (a queue's) */
	bool full;		/* the read end's send buffer is filled */
	int nheads;
	wait_queue_head_t *head[LX_MIRROR_HEADS];
	wait_queue_entry_t wait[LX_MIRROR_HEADS];
	poll_table pt;
};

static LIST_HEAD(lx_mirrors);
static DEFINE_SPINLOCK(lx_mirror_lock);

/* lx_mirror_lock held */
static void lx_mirror_set(struct lx_mirror *m, bool ready)
{
	if (m->ready == ready)
		return;
	m->ready = ready;
	if (ready)
		lx_host_fd_signal(m->wfd);
	else
		lx_host_fd_drain(m->rfd);
}

/* lx_mirror_lock held */
static void lx_mirror_set_out(struct lx_mirror *m, bool writable)
{
	if (!m->out || m->full == !writable)
		return;
	m->full = !writable;
	if (writable)
		lx_host_fd_drain(m->wfd);
	else
		lx_host_fd_fill(m->rfd);
}

/*
 * The file's poll must not sleep or take the wait queue's lock: inotify's
 * takes the group's notification lock (which its wakers have dropped),
 * a pipe's none. Only those files get mirrors.
 */
static void lx_mirror_sync(struct lx_mirror *m)
{
	unsigned long flags;
	__poll_t mask;

	spin_lock_irqsave(&lx_mirror_lock, flags);
	mask = vfs_poll(m->file, NULL);
	lx_mirror_set(m, m->ext || (mask & LX_MIRROR_IN));
	lx_mirror_set_out(m, mask & EPOLLOUT);
	spin_unlock_irqrestore(&lx_mirror_lock, flags);
}

/*
 * Any wake-up re-checks: a key does not say enough (a writer opening a
 * FIFO wakes its readers with none, yet there is nothing to read).
 */
static int lx_mirror_wake(wait_queue_entry_t *wait, unsigned int mode,
			  int sync, void *key)
{
	struct lx_mirror *m = wait->private;
	__poll_t k = key_to_poll(key);
	unsigned long flags;
	bool was = m->ready;

	lx_mirror_sync(m);
	/*
	 * Linux's epoll reports an EPOLLET item again at every wake-up of
	 * a readable file (each FIFO write, queue send or inotify event),
	 * not only when it becomes readable; programs that read part of
	 * the data and wait again rely on it. A pipe that was readable
	 * already gets no edge from lx_mirror_set: write one more byte
	 * (a write to a pipe wakes the host's epoll, and a drain takes
	 * them all). Wake-ups for writers (a read) do not count.
	 */
	if (was && (!k || (k & (EPOLLIN | EPOLLRDNORM)))) {
		spin_lock_irqsave(&lx_mirror_lock, flags);
		if (m->ready)
			lx_host_fd_signal(m->wfd);
		spin_unlock_irqrestore(&lx_mirror_lock, flags);
	}
	return 0;
}

static void lx_mirror_queue(struct file *file, wait_queue_head_t *head,
			    poll_table *pt)
{
	struct lx_mirror *m = container_of(pt, struct lx_mirror, pt);
	int i = m->nheads;

	if (i >= LX_MIRROR_HEADS)
		return;
	init_waitqueue_func_entry(&m->wait[i], lx_mirror_wake);
	m->wait[i].private = m;
	add_wait_queue(head, &m->wait[i]);
	m->head[i] = head;
	m->nheads++;
}

/* The mirror of lx fd @fd of the current task, or NULL. */
static struct lx_mirror *lx_mirror_find(int fd)
{
	struct lx_mirror *m, *found = NULL;
	struct file *file = fget(fd);

	if (!file)
		return NULL;
	list_for_each_entry(m, &lx_mirrors, list) {
		if (m->file == file) {
			found = m;
			break;
		}
	}
	fput(file);
	return found;
}

static bool lx_mirror_mqueue(struct file *file)
{
	return !strcmp(file_inode(file)->i_sb->s_type->name, "mqueue");
}

/* Files whose poll is safe from a wake-up callback (see lx_mirror_sync). */
static bool lx_mirror_can(struct file *file)
{
	if (S_ISFIFO(file_inode(file)->i_mode))
		return true;
	/*
	 * A POSIX message queue wakes its pollers with info->lock held, and
	 * its poll takes that lock. lx has one CPU and no preemption, so a
	 * spinlock is never contended and taking it again does not spin;
	 * every wake-up comes after the queue's count changed, so the poll
	 * sees the new state.
	 */
	if (lx_mirror_mqueue(file))
		return true;
	/* inotify_fops is static; its files are anon inodes named so. */
	return file_can_poll(file) && !S_ISREG(file_inode(file)->i_mode) &&
	       !strcmp(file_dentry(file)->d_name.name, "inotify");
}

/* The mirror whose pipe's read end is host fd @rfd, or NULL. */
static struct lx_mirror *lx_mirror_find_rfd(int rfd)
{
	struct lx_mirror *m;

	list_for_each_entry(m, &lx_mirrors, list) {
		if (m->rfd == rfd)
			return m;
	}
	return NULL;
}

static long lx_mirror_add(int fd, int rfd, int wfd)
{
	struct lx_mirror *m;
	struct file *file;
	__poll_t mask;
	unsigned long flags;

	if (lx_mirror_find(fd))
		return -EEXIST;
	file = fget(fd);
	if (!file)
		return -EBADF;
	if (!lx_mirror_can(file)) {
		fput(file);
		return -EINVAL;
	}
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m) {
		fput(file);
		return -ENOMEM;
	}
	m->file = file;
	m->rfd = rfd;
	m->wfd = wfd;
	m->out = lx_mirror_mqueue(file); /* the host made a socket pair */
	init_poll_funcptr(&m->pt, lx_mirror_queue);
	m->pt._key = LX_MIRROR_IN;
	mask = vfs_poll(file, &m->pt);
	spin_lock_irqsave(&lx_mirror_lock, flags);
	list_add(&m->list, &lx_mirrors);
	lx_mirror_set(m, mask & LX_MIRROR_IN);
	lx_mirror_set_out(m, mask & EPOLLOUT);
	spin_unlock_irqrestore(&lx_mirror_lock, flags);
	return 0;
}

static void lx_mirror_free(struct lx_mirror *m)
{
	int i;

	for (i = 0; i < m->nheads; i++)
		remove_wait_queue(m->head[i], &m->wait[i]);
	fput(m->file);
	lx_host_fd_close(m->rfd);
	lx_host_fd_close(m->wfd);
	kfree(m);
}

/*
 * Drop the mirrors of files only they still hold; returns how many, and
 * stores up to @max of their read ends (closed by now) in @out.
 */
static long lx_mirror_gc(int *out, long max)
{
	struct lx_mirror *m, *n;
	unsigned long flags;
	LIST_HEAD(dead);
	long count = 0;

	spin_lock_irqsave(&lx_mirror_lock, flags);
	list_for_each_entry_safe(m, n, &lx_mirrors, list) {
		if (file_count(m->file) == 1)
			list_move(&m->list, &dead);
	}
	spin_unlock_irqrestore(&lx_mirror_lock, flags);
	list_for_each_entry_safe(m, n, &dead, list) {
		list_del(&m->list);
		if (out && count < max)
			out[count] = m->rfd;
		lx_mirror_free(m);
		count++;
	}
	return count;
}

/*
 * A read of a FIFO drains it for every open file of that FIFO, but
 * wakes nobody unless it was full: re-check the mirrors of the FIFO's
 * other opens too (another process's O_RDONLY or O_RDWR file), or they
 * stay readable after the last byte was read elsewhere.
 */
static void lx_mirror_sync_fifo(struct lx_mirror *m)
{
	struct inode *inode = file_inode(m->file);
	struct lx_mirror *o;

	if (!S_ISFIFO(inode->i_mode))
		return;
	list_for_each_entry(o, &lx_mirrors, list) {
		if (o != m && file_inode(o->file) == inode)
			lx_mirror_sync(o);
	}
}

long lx_mirror_op(const long *args)
{
	struct lx_mirror *m;

	switch (args[0]) {
	case LX_MIRROR_ADD:
		return lx_mirror_add(args[1], args[2], args[3]);
	case LX_MIRROR_SYNC:
		m = args[1] >= 0 ? lx_mirror_find(args[1]) :
				   lx_mirror_find_rfd(args[2]);
		if (!m)
			return -ENOENT;
		if (args[3] >= 0)
			m->ext = args[3];
		lx_mirror_sync(m);
		lx_mirror_sync_fifo(m);
		return 0;
	case LX_MIRROR_RFD:
		m = lx_mirror_find(args[1]);
		return m ? m->rfd : -ENOENT;
	case LX_MIRROR_GC:
		return lx_mirror_gc((int *)args[1], args[2]);
	default:
		return -EINVAL;
	}
}
