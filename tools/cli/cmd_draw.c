/* SPDX-License-Identifier: MIT */
/* anonvma draw: not built yet (a later issue). */
#include <stdio.h>

#include "cmd.h"

/** cmd_draw() - placeholder until the draw tool exists. */
int cmd_draw(int argc, char **argv)
{
	fprintf(stderr, "anonvma draw: not available in this build yet\n");
	return 2;
}
