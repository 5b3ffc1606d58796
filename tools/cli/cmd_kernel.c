/* SPDX-License-Identifier: MIT */
/* anonvma kernel: not built yet (a later issue). */
#include <stdio.h>

#include "cmd.h"

/** cmd_kernel() - placeholder until the kernel tool exists. */
int cmd_kernel(int argc, char **argv)
{
	fprintf(stderr, "anonvma kernel: not available in this build yet\n");
	return 2;
}
