// SPDX-License-Identifier: GPL-2.0
/*
 * Free RAM given back to the host. lx's RAM is one private host mapping
 * (lx_host_mem_alloc), so a page the kernel once touched stayed in kbox's
 * resident set for the rest of the run, long after the kernel freed it:
 * a guest that wrote and deleted 400 MB left kbox at 385 MB resident.
 * With free page reporting (mm/page_reporting.c, as virtio-balloon uses
 * it towards a hypervisor) free blocks that stay free for its delay (2 s)
 * are reported here and dropped with MADV_DONTNEED; an allocation of one
 * later faults in zeroed host pages.
 *
 * Blocks of 2 MiB, aligned (the buddy allocator's blocks are aligned to
 * their size): the host backs lx's RAM with transparent huge pages, and
 * khugepaged would fill a partly dropped 2 MiB range again.
 */
#include <linux/init.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/page_reporting.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>

#include "lx.h"

static int lx_report_free(struct page_reporting_dev_info *prdev,
			  struct scatterlist *sgl, unsigned int nents)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sg(sgl, sg, nents, i)
		lx_host_mem_discard((unsigned long)sg_virt(sg), sg->length);
	return 0;
}

static struct page_reporting_dev_info lx_free_reporting = {
	.report = lx_report_free,
	.order = ilog2(SZ_2M) - PAGE_SHIFT,
};

static int __init lx_free_reporting_init(void)
{
	return page_reporting_register(&lx_free_reporting);
}
late_initcall(lx_free_reporting_init);
