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
 * A FIFO's read end shows a hang-up (no writer any more: POLLHUP) by
 * closing the pipe's write end, and reopens it (through /proc) when a
 * writer is back. A FIFO's write end gets a pipe too, the guest holding
 * its write end: filled while the FIFO is full, drained once it has room
 * again, its read end closed while the FIFO has no reader (POLLERR). An
 * O_RDWR FIFO's mirror is a socket pair that follows fullness as a
 * queue's does.
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

enum lx_mirror_kind {
	LX_MIRROR_PIPE,		/* the guest holds a pipe's read end */
	LX_MIRROR_SOCK,		/* a socket pair (a queue, an O_RDWR FIFO) */
	LX_MIRROR_WEND,		/* the guest holds a pipe's write end */
};

struct lx_mirror {
	struct list_head list;
	struct file *file;
	/*
	 * The guest's end (its identity: never closed before the mirror
	 * goes) and the other one: for PIPE and SOCK the drain end and the
	 * signal end, for WEND the fill end and the drain end. A pipe's
	 * other end is -1 while closed (a hang-up, or no reader).
	 */
	int rfd, wfd;
	enum lx_mirror_kind kind;
	bool ready;		/* the pipe holds a byte */
	bool ext;		/* the host's own readiness */
	bool out;		/* writability is mirrored too */
	bool full;		/* filled: the guest's end is not writable */
	int nheads;
	wait_queue_head_t *head[LX_MIRROR_HEADS];
	wait_queue_entry_t wait[LX_MIRROR_HEADS];
	poll_table pt;
};

static LIST_HEAD(lx_mirrors);
static DEFINE_SPINLOCK(lx_mirror_lock);

/*
 * lx_mirror_lock held. Open or close a pipe mirror's other end: closed, a
 * read end polls POLLHUP and a write end POLLERR, as the FIFO's do
 * without writers or readers. false if it could not be reopened.
 */
static bool lx_mirror_other(struct lx_mirror *m, bool open)
{
	if (open == (m->wfd >= 0))
		return true;
	if (!open) {
		lx_host_fd_close(m->wfd);
		m->wfd = -1;
		return true;
	}
	m->wfd = lx_host_fd_reopen(m->rfd, m->kind == LX_MIRROR_PIPE);
	return m->wfd >= 0;
}

/* lx_mirror_lock held */
static void lx_mirror_set(struct lx_mirror *m, bool ready)
{
	if (m->ready == ready)
		return;
	if (ready && !lx_mirror_other(m, true))
		return;
	m->ready = ready;
	if (ready)
		lx_host_fd_signal(m->wfd);
	else
		lx_host_fd_drain(m->rfd);
}

/*
 * lx_mirror_lock held. Filled through the guest's end (a socket's send
 * buffer, a pipe), drained at the other.
 */
static void lx_mirror_set_out(struct lx_mirror *m, bool writable)
{
	if (!m->out || m->full == !writable)
		return;
	/* A pipe without its read end would refuse the fill (EPIPE). */
	if (m->kind == LX_MIRROR_WEND && !lx_mirror_other(m, true))
		return;
	m->full = !writable;
	if (writable)
		lx_host_fd_drain(m->wfd);
	else
		lx_host_fd_fill(m->rfd);
}

/* lx_mirror_lock held: show poll mask @mask on the mirror. */
static void lx_mirror_apply(struct lx_mirror *m, __poll_t mask)
{
	switch (m->kind) {
	case LX_MIRROR_PIPE:
		/* The byte says readable; the closed write end says hung up. */
		lx_mirror_set(m, m->ext || (mask & (LX_MIRROR_IN & ~EPOLLHUP)));
		lx_mirror_other(m, !(mask & EPOLLHUP));
		break;
	case LX_MIRROR_SOCK:
		lx_mirror_set(m, m->ext || (mask & LX_MIRROR_IN));
		lx_mirror_set_out(m, mask & EPOLLOUT);
		break;
	case LX_MIRROR_WEND:
		lx_mirror_set_out(m, mask & EPOLLOUT);
		lx_mirror_other(m, !(mask & EPOLLERR));
		break;
	}
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
	lx_mirror_apply(m, mask);
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
	bool was = m->ready, room = !m->full;

	lx_mirror_sync(m);
	/*
	 * The same for a write end: each wake-up of a FIFO's writers (a
	 * read that made room, a resize, a reader's close) reports an
	 * EPOLLET write end again while it has room. A host pipe whose room
	 * did not change gets no edge from a fill or drain: a resize of it
	 * wakes its writers.
	 */
	if (m->kind == LX_MIRROR_WEND) {
		if (room && (!k || (k & EPOLLOUT))) {
			spin_lock_irqsave(&lx_mirror_lock, flags);
			if (!m->full)
				lx_host_fd_poke(m->rfd);
			spin_unlock_irqrestore(&lx_mirror_lock, flags);
		}
		return 0;
	}
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
		if (m->ready && m->wfd >= 0)
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

/*
 * A read of a FIFO drains it for every open file of that FIFO, but
 * wakes nobody unless it was full: re-check the mirrors of the FIFO's
 * other opens too (another process's O_RDONLY or O_RDWR file), or they
 * stay readable after the last byte was read elsewhere. A write that
 * fills it wakes no writer either (the host syncs after writes too).
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
	/* What the host made: see kbox's kbox_mirror_install_reply(). */
	if (lx_mirror_mqueue(file) ||
	    (file->f_mode & (FMODE_READ | FMODE_WRITE)) ==
		    (FMODE_READ | FMODE_WRITE))
		m->kind = LX_MIRROR_SOCK;
	else if (file->f_mode & FMODE_WRITE)
		m->kind = LX_MIRROR_WEND;
	else
		m->kind = LX_MIRROR_PIPE;
	m->out = m->kind != LX_MIRROR_PIPE;
	init_poll_funcptr(&m->pt, lx_mirror_queue);
	m->pt._key = LX_MIRROR_IN;
	mask = vfs_poll(file, &m->pt);
	spin_lock_irqsave(&lx_mirror_lock, flags);
	list_add(&m->list, &lx_mirrors);
	lx_mirror_apply(m, mask);
	spin_unlock_irqrestore(&lx_mirror_lock, flags);
	/*
	 * An open of a FIFO changes its other opens' state without waking
	 * them all (a reader's open wakes no writer): a write end without
	 * readers polled POLLERR after a reader came.
	 */
	lx_mirror_sync_fifo(m);
	return 0;
}

static void lx_mirror_free(struct lx_mirror *m)
{
	int i;

	for (i = 0; i < m->nheads; i++)
		remove_wait_queue(m->head[i], &m->wait[i]);
	fput(m->file);
	lx_host_fd_close(m->rfd);
	if (m->wfd >= 0)
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
