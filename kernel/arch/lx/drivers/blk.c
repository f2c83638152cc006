// SPDX-License-Identifier: GPL-2.0
/*
 * lx block device: a bio-based disk whose sectors live in a host file.
 * Bios are served synchronously, one host preadv/pwritev per up to
 * LX_BLK_IOV segments (a 128 KiB readahead is one call); FLUSH becomes
 * fdatasync and DISCARD punches a hole. Disks are named lxda, lxdb, ...
 */
#include <linux/blkdev.h>
#include <linux/bio.h>
#include <linux/highmem.h>
#include <linux/init.h>
#include <linux/major.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <asm/lx_host.h>

#include "../kernel/lx.h"

#define LX_BLK_MAX_DISKS	16
#define LX_BLK_MINORS		16	/* partitions per disk */
#define LX_BLK_IOV		64	/* segments per host call */

struct lx_disk {
	int fd;
	struct gendisk *disk;
};

static struct lx_disk *lx_disks[LX_BLK_MAX_DISKS];
static int lx_ndisks;
static int lx_blk_major;
static DEFINE_MUTEX(lx_blk_lock);

static blk_status_t lx_blk_errno(long err)
{
	return err ? errno_to_blk_status(err) : BLK_STS_OK;
}

static void lx_blk_submit_bio(struct bio *bio)
{
	struct lx_disk *d = bio->bi_bdev->bd_disk->private_data;
	unsigned long long pos = (unsigned long long)bio->bi_iter.bi_sector << SECTOR_SHIFT;
	struct lx_host_iov iov[LX_BLK_IOV];
	unsigned long batch = 0;
	struct bio_vec bv;
	struct bvec_iter iter;
	int n = 0, write = op_is_write(bio_op(bio));
	long err = 0;

	switch (bio_op(bio)) {
	case REQ_OP_READ:
	case REQ_OP_WRITE:
		/* NOMMU: a kmap is the page's own address, valid until endio */
		bio_for_each_segment(bv, bio, iter) {
			iov[n].base = bvec_kmap_local(&bv);
			iov[n].len = bv.bv_len;
			kunmap_local(iov[n].base);
			batch += bv.bv_len;
			if (++n < LX_BLK_IOV)
				continue;
			err = lx_host_blk_rwv(d->fd, write, iov, n, pos);
			if (err)
				break;
			pos += batch;
			batch = 0;
			n = 0;
		}
		if (!err && n)
			err = lx_host_blk_rwv(d->fd, write, iov, n, pos);
		if (!err && (bio->bi_opf & REQ_FUA))
			err = lx_host_blk_flush(d->fd);
		break;
	case REQ_OP_FLUSH:
		err = lx_host_blk_flush(d->fd);
		break;
	case REQ_OP_DISCARD:
	case REQ_OP_WRITE_ZEROES:
		err = lx_host_blk_discard(d->fd, pos, bio->bi_iter.bi_size);
		break;
	default:
		err = -EOPNOTSUPP;
	}
	bio->bi_status = lx_blk_errno(err);
	bio_endio(bio);
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

long lx_blk_devno(int idx)
{
	if (idx < 0 || idx >= lx_ndisks)
		return -ENODEV;
	return new_encode_dev(disk_devt(lx_disks[idx]->disk));
}

static int __init lx_blk_init(void)
{
	lx_blk_major = register_blkdev(0, "lxd");
	if (lx_blk_major < 0)
		return lx_blk_major;
	return 0;
}
subsys_initcall(lx_blk_init);
