/* SPDX-License-Identifier: MIT */
/* anonvma bench: not built yet (a later issue). */
#include <stdio.h>

#include "cmd.h"

/** cmd_bench() - placeholder until the bench tool exists. */
int cmd_bench(int argc, char **argv)
{
	fprintf(stderr, "anonvma bench: not available in this build yet\n");
	return 2;
}
