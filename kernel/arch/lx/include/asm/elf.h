/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LX_ELF_H
#define _ASM_LX_ELF_H

/* lx loads no user binaries; these satisfy generic headers. */
#define ELF_CLASS	ELFCLASS64
#define ELF_DATA	ELFDATA2LSB
#define ELF_ARCH	EM_NONE
#define elf_check_arch(x)	(0)
#define ELF_EXEC_PAGESIZE	4096
#define ELF_HWCAP	(0)
#define ELF_PLATFORM	(NULL)
#define ELF_ET_DYN_BASE	(0)

typedef unsigned long elf_greg_t;
#define ELF_NGREG	1
typedef elf_greg_t elf_gregset_t[ELF_NGREG];
typedef struct { unsigned long d[1]; } elf_fpregset_t;

#endif
