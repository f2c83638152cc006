// SPDX-License-Identifier: GPL-2.0
/*
 * lx block device: a bio-based disk whose sectors live in a host file.
 * Bios are served synchronously, one host preadv/pwritev per up to
 * LX_BLK_IOV segments (a 128 KiB readahead is one call), and bios that
 * continue one another under a plug share a call. The disk has a
 * volatile write cache (the host's page cache): a flush (REQ_PREFLUSH,
 * before the bio's data; an empty one is blkdev_issue_flush) and FUA
 * (after it) become fdatasync, skipped when nothing was written since
 * the last one. The fdatasync runs on the host's flush thread while the
 * submitter sleeps, so lx's CPU serves other tasks meanwhile. DISCARD
 * punches a hole. Disks are named lxda, lxdb, ...
 */
#include <linux/blkdev.h>
#include <linux/bio.h>
#include <linux/highmem.h>
#include <linux/init.h>
#include <linux/major.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/interrupt.h>
#include <linux/wait.h>
#include <asm/lx_host.h>

#include "../kernel/lx.h"

#define LX_BLK_MAX_DISKS	16
#define LX_BLK_MINORS		16	/* partitions per disk */
#define LX_BLK_IOV		64	/* segments per host call */

struct lx_disk {
	int fd;
	struct gendisk *disk;
	/*
	 * Flushes: writes are counted as they are served (lx's one CPU
	 * serves a bio's host write whole), and a flush needs a host
	 * fdatasync begun after the writes it follows. One runs at a time;
	 * whoever waits for writes served since it began gets the next.
	 */
	spinlock_t lock;	/* the fields below; shared with the irq */
	u64 wgen;		/* writes served */
	u64 done_gen;		/* writes a good fdatasync covered */
	u64 flight_gen;		/* writes the running one covers */
	bool flushing;
	struct list_head waiters;
	wait_queue_head_t wq;
};

struct lx_flush_wait {
	struct list_head node;
	u64 need;
	long err;
	bool done;
};

static struct lx_disk *lx_disks[LX_BLK_MAX_DISKS];
static int lx_ndisks;
static int lx_blk_major;
static DEFINE_MUTEX(lx_blk_lock);

static blk_status_t lx_blk_errno(long err)
{
	return err ? errno_to_blk_status(err) : BLK_STS_OK;
}

/* Can @b share one host call with its neighbours on the disk? */
static bool lx_blk_plain(struct bio *b)
{
	return (bio_op(b) == REQ_OP_READ || bio_op(b) == REQ_OP_WRITE) &&
	       !(b->bi_opf & (REQ_FUA | REQ_PREFLUSH));
}

/* Begin a host flush of what was written so far; d->lock held. */
static long lx_blk_flush_start(struct lx_disk *d)
{
	long err = lx_host_blk_flush_start(d->fd, d);

	if (!err) {
		d->flight_gen = d->wgen;
		d->flushing = true;
	}
	return err;
}

/* End the waits the flush @d ran covers with @err; d->lock held. */
static void lx_blk_flush_end(struct lx_disk *d, long err)
{
	struct lx_flush_wait *w, *n;

	d->flushing = false;
	if (!err && d->flight_gen > d->done_gen)
		d->done_gen = d->flight_gen;
	list_for_each_entry_safe(w, n, &d->waiters, node) {
		if (w->need > d->flight_gen)
			continue;
		list_del(&w->node);
		w->err = err;
		WRITE_ONCE(w->done, true);
	}
}

static irqreturn_t lx_blk_interrupt(int irq, void *dev)
{
	struct lx_disk *d;
	long err;

	while ((d = lx_host_blk_flush_done(&err))) {
		spin_lock(&d->lock);
		lx_blk_flush_end(d, err);
		/* Waits for writes served while it ran need one more. */
		if (!list_empty(&d->waiters)) {
			err = lx_blk_flush_start(d);
			if (err) {
				d->flight_gen = d->wgen;
				lx_blk_flush_end(d, err);
			}
		}
		spin_unlock(&d->lock);
		wake_up_all(&d->wq);
	}
	return IRQ_HANDLED;
}

/* Make what was written so far durable. */
static long lx_blk_flush(struct lx_disk *d)
{
	struct lx_flush_wait w = { .need = d->wgen };
	unsigned long flags;
	long err = 0;

	spin_lock_irqsave(&d->lock, flags);
	if (d->done_gen >= w.need) {
		spin_unlock_irqrestore(&d->lock, flags);
		return 0;
	}
	if (!d->flushing)
		err = lx_blk_flush_start(d);
	if (!err)
		list_add_tail(&w.node, &d->waiters);
	spin_unlock_irqrestore(&d->lock, flags);
	if (!err) {
		wait_event(d->wq, READ_ONCE(w.done));
		return w.err;
	}
	/* No flush thread: flush here, holding the CPU as before. */
	err = lx_host_blk_flush(d->fd);
	spin_lock_irqsave(&d->lock, flags);
	if (!err && w.need > d->done_gen)
		d->done_gen = w.need;
	spin_unlock_irqrestore(&d->lock, flags);
	return err;
}

static unsigned long long lx_blk_pos(struct bio *b)
{
	return (unsigned long long)b->bi_iter.bi_sector << SECTOR_SHIFT;
}

/*
 * Serve @bios[0..@n), contiguous reads or writes in disk order (or a
 * single bio of any kind), with as few host calls as their segments
 * allow, and complete them.
 */
static void lx_blk_serve(struct lx_disk *d, struct bio **bios, int n)
{
	struct bio *bio = bios[0];
	unsigned long long pos = lx_blk_pos(bio);
	struct lx_host_iov iov[LX_BLK_IOV];
	unsigned long batch = 0;
	struct bio_vec bv;
	struct bvec_iter iter;
	int k = 0, write = op_is_write(bio_op(bio));
	long err = 0;

	/*
	 * A read-only disk (-m ro: the image is open O_RDONLY) gets no host
	 * write. ext4 still tries some - a journal that recorded an error has
	 * it cleared at mount - and the host's EBADF was then reported at exit
	 * as guest writes missing from the image, after the mount's own error.
	 * The bio fails as on a read-only loop device.
	 */
	if (write && get_disk_ro(d->disk)) {
		for (int i = 0; i < n; i++) {
			bios[i]->bi_status = BLK_STS_IOERR;
			bio_endio(bios[i]);
		}
		return;
	}

	/* Earlier completed writes first: jbd2's commit block relies on it. */
	if (bio->bi_opf & REQ_PREFLUSH)
		err = lx_blk_flush(d);
	if (write && !err && bio->bi_iter.bi_size)
		d->wgen++;
	switch (bio_op(bio)) {
	case REQ_OP_READ:
	case REQ_OP_WRITE:
		for (int i = 0; i < n && !err; i++) {
			/* NOMMU: a kmap is the page's own address, valid until endio */
			bio_for_each_segment(bv, bios[i], iter) {
				iov[k].base = bvec_kmap_local(&bv);
				iov[k].len = bv.bv_len;
				kunmap_local(iov[k].base);
				batch += bv.bv_len;
				if (++k < LX_BLK_IOV)
					continue;
				err = lx_host_blk_rwv(d->fd, write, iov, k, pos);
				if (err)
					break;
				pos += batch;
				batch = 0;
				k = 0;
			}
		}
		if (!err && k)
			err = lx_host_blk_rwv(d->fd, write, iov, k, pos);
		if (!err && (bio->bi_opf & REQ_FUA))
			err = lx_blk_flush(d);
		break;
	case REQ_OP_FLUSH:
		err = lx_blk_flush(d);
		break;
	case REQ_OP_DISCARD:
	case REQ_OP_WRITE_ZEROES:
		err = lx_host_blk_discard(d->fd, pos, bio->bi_iter.bi_size);
		break;
	default:
		err = -EOPNOTSUPP;
	}
	for (int i = 0; i < n; i++) {
		bios[i]->bi_status = lx_blk_errno(err);
		bio_endio(bios[i]);
	}
}

/*
 * Bios submitted under a plug wait here until it is flushed (the
 * submitter finishes the plug or sleeps): runs of them that continue one
 * another on the disk then go to the host in one call. Readahead of an
 * inode table (32 buffer heads), of directory blocks and a journal
 * commit are such runs; one by one they were a preadv/pwritev each.
 */
struct lx_blk_plug {
	struct blk_plug_cb cb;
	struct bio_list bios;
};

#define LX_BLK_RUN	64	/* bios per host call at most */

static void lx_blk_unplug(struct blk_plug_cb *cb, bool from_schedule)
{
	struct lx_blk_plug *p = container_of(cb, struct lx_blk_plug, cb);
	struct lx_disk *d = cb->data;
	struct bio *run[LX_BLK_RUN], *b;
	unsigned long long end = 0;
	int n = 0;

	/* Served in submission order; only neighbours in it are merged. */
	while ((b = bio_list_pop(&p->bios))) {
		if (n && (n == LX_BLK_RUN || !lx_blk_plain(b) ||
			  bio_op(b) != bio_op(run[0]) || lx_blk_pos(b) != end)) {
			lx_blk_serve(d, run, n);
			n = 0;
		}
		if (!lx_blk_plain(b)) {
			lx_blk_serve(d, &b, 1);
			continue;
		}
		run[n++] = b;
		end = lx_blk_pos(b) + b->bi_iter.bi_size;
	}
	if (n)
		lx_blk_serve(d, run, n);
	kfree(p);
}

static void lx_blk_submit_bio(struct bio *bio)
{
	struct lx_disk *d = bio->bi_bdev->bd_disk->private_data;
	struct blk_plug_cb *cb;

	if (lx_blk_plain(bio)) {
		cb = blk_check_plugged(lx_blk_unplug, d,
				       sizeof(struct lx_blk_plug));
		if (cb) {
			bio_list_add(&container_of(cb, struct lx_blk_plug,
						   cb)->bios, bio);
			return;
		}
	}
	lx_blk_serve(d, &bio, 1);
}

static const struct block_device_operations lx_blk_fops = {
	.owner		= THIS_MODULE,
	.submit_bio	= lx_blk_submit_bio,
};

int lx_blk_add(int fd, int readonly)
{
	struct queue_limits lim = {
		.logical_block_size	= 512,
		.physical_block_size	= PAGE_SIZE,
		.max_hw_discard_sectors	= UINT_MAX,
		.max_write_zeroes_sectors = UINT_MAX,
		.max_discard_segments	= 1,
		.discard_granularity	= PAGE_SIZE,
		.features		= BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA |
					  BLK_FEAT_SYNCHRONOUS,
	};
	long long size = lx_host_blk_size(fd);
	struct lx_disk *d;
	struct gendisk *disk;
	int idx, err;

	if (size < 0)
		return size;
	mutex_lock(&lx_blk_lock);
	idx = lx_ndisks;
	err = -ENOSPC;
	if (idx >= LX_BLK_MAX_DISKS)
		goto out_unlock;
	err = -ENOMEM;
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		goto out_unlock;
	d->fd = fd;
	spin_lock_init(&d->lock);
	INIT_LIST_HEAD(&d->waiters);
	init_waitqueue_head(&d->wq);
	disk = blk_alloc_disk(&lim, NUMA_NO_NODE);
	if (IS_ERR(disk)) {
		err = PTR_ERR(disk);
		goto out_free;
	}
	disk->major = lx_blk_major;
	disk->first_minor = idx * LX_BLK_MINORS;
	disk->minors = LX_BLK_MINORS;
	disk->fops = &lx_blk_fops;
	disk->private_data = d;
	snprintf(disk->disk_name, DISK_NAME_LEN, "lxd%c", 'a' + idx);
	set_capacity(disk, size >> SECTOR_SHIFT);
	set_disk_ro(disk, readonly);
	d->disk = disk;
	err = add_disk(disk);
	if (err)
		goto out_put;
	lx_disks[idx] = d;
	lx_ndisks++;
	mutex_unlock(&lx_blk_lock);
	return idx;

out_put:
	put_disk(disk);
out_free:
	kfree(d);
out_unlock:
	mutex_unlock(&lx_blk_lock);
	return err;
}

/*
 * The device number of disk @idx (@part 0) or of its partition @part. The
 * first 15 partitions take the minors after the disk's; later ones (GPT
 * has up to 128) get numbers of the extended major, so each is looked up
 * in the disk's partition table.
 */
long lx_blk_devno(int idx, int part)
{
	struct block_device *bdev;
	long ret = -ENXIO;

	if (idx < 0 || idx >= lx_ndisks)
		return -ENODEV;
	if (!part)
		return new_encode_dev(disk_devt(lx_disks[idx]->disk));
	rcu_read_lock();
	bdev = xa_load(&lx_disks[idx]->disk->part_tbl, part);
	if (bdev)
		ret = new_encode_dev(bdev->bd_dev);
	rcu_read_unlock();
	return ret;
}

/*
 * A fixed major from the block range Linux keeps for local use (60-63),
 * never handed out dynamically: the first dynamic major, 254, is what a
 * virtio host disk has, and a file in a bind (the host's st_dev) then
 * shared (st_dev, st_ino) with an unrelated image file (tar archived it
 * as a hard link to that file; find -xdev entered binds).
 */
#define LX_BLK_MAJOR 60

static int __init lx_blk_init(void)
{
	lx_blk_major = register_blkdev(LX_BLK_MAJOR, "lxd");
	if (lx_blk_major == 0)
		lx_blk_major = LX_BLK_MAJOR;
	if (lx_blk_major < 0)
		return lx_blk_major;
	BUILD_BUG_ON(LX_BLK_MAX_DISKS > LX_HOST_BLK_FLUSHES);
	return request_irq(LX_IRQ_BLK, lx_blk_interrupt, 0, "lx-blk", NULL);
}
subsys_initcall(lx_blk_init);
