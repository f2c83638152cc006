// SPDX-License-Identifier: GPL-2.0
/* lx has no assembly, so it needs no offsets; Kbuild wants the file. */
#include <linux/kbuild.h>

int main(void)
{
	return 0;
}
