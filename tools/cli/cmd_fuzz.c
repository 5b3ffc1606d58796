/* SPDX-License-Identifier: MIT */
/* anonvma fuzz: not built yet (a later issue). */
#include <stdio.h>

#include "cmd.h"

/** cmd_fuzz() - placeholder until the fuzz tool exists. */
int cmd_fuzz(int argc, char **argv)
{
	fprintf(stderr, "anonvma fuzz: not available in this build yet\n");
	return 2;
}
