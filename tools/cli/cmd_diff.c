/* SPDX-License-Identifier: MIT */
/* anonvma diff: not built yet (a later issue). */
#include <stdio.h>

#include "cmd.h"

/** cmd_diff() - placeholder until the diff tool exists. */
int cmd_diff(int argc, char **argv)
{
	fprintf(stderr, "anonvma diff: not available in this build yet\n");
	return 2;
}
