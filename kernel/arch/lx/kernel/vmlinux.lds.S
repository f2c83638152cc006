/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Linked with `ld -r`: the result is one relocatable object, placed by the
 * final (host) link. Every boundary symbol is section relative.
 */
#include <asm/thread_info.h>
#include <asm/page.h>
#include <asm/cache.h>
#include <asm-generic/vmlinux.lds.h>

jiffies = jiffies_64;

SECTIONS
{
	__init_begin = .;
	HEAD_TEXT_SECTION
	INIT_TEXT_SECTION(PAGE_SIZE)
	INIT_DATA_SECTION(16)
	__init_end = .;

	.text : {
		_stext = .;
		_text = .;
		text = .;
		TEXT_TEXT
		SCHED_TEXT
		LOCK_TEXT
		IRQENTRY_TEXT
		SOFTIRQENTRY_TEXT
		*(.fixup)
		_etext = .;
	}

	_sdata = .;
	RO_DATA(PAGE_SIZE)
	RW_DATA(L1_CACHE_BYTES, PAGE_SIZE, THREAD_SIZE)
	_edata = .;

	EXCEPTION_TABLE(16)

	BSS_SECTION(0, 0, 0)
	_end = .;

	STABS_DEBUG
	DWARF_DEBUG
	ELF_DETAILS

	DISCARDS
}
