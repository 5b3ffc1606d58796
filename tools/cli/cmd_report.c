/* SPDX-License-Identifier: MIT */
/* anonvma report: not built yet (a later issue). */
#include <stdio.h>

#include "cmd.h"

/** cmd_report() - placeholder until the report tool exists. */
int cmd_report(int argc, char **argv)
{
	fprintf(stderr, "anonvma report: not available in this build yet\n");
	return 2;
}
