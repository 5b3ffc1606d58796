/* SPDX-License-Identifier: MIT */
/*
 * The table of scenario operations (ops.h).  Each entry says, for one
 * operation, how the language writes it, what the model and the kernel
 * do for it, what a failed allocation inside it may leave, and how the
 * fuzz generator's shadow follows it; the hooks live with their drivers
 * (exec_ops.c, failcheck.c, parse.c, tools/kernel, tools/fuzz).
 */
#include <errno.h>

#include "../fuzz/gen_internal.h"
#include "../kernel/kernel_internal.h"
#include "exec_internal.h"
#include "failcheck_internal.h"
#include "parse_internal.h"
#include "ops.h"

/* The flags every operation on a range of the window has. */
#define RANGE	SCN_OPF_RANGE
#define MODEL	SCN_OPF_MODEL_ONLY

const struct scn_op_desc scn_ops[NR_SCN_OPS] = {
	[SCN_OP_PROC] = {
		.name = "proc", .parse = scn_parse_proc, .lead = true,
		.flags = SCN_OPF_NEW_PROC,
		.model = exec_op_proc,
		.kdrive = SCN_K_SPAWN,
		.contract = fc_contract_atomic,
		.shadow = gen_shadow_proc,
	},
	[SCN_OP_MMAP] = {
		.name = "mmap", .parse = scn_parse_mmap, .flags = RANGE,
		.model = exec_op_mmap,
		.kdrive = SCN_K_CALL, .kcall = ksys_mmap,
		.contract = fc_contract_mmap, .absorbed = fc_absorbed_mmap,
		.shadow = gen_shadow_mmap,
	},
	[SCN_OP_MUNMAP] = {
		.name = "munmap", .parse = scn_parse_munmap, .flags = RANGE,
		.model = exec_op_munmap,
		.kdrive = SCN_K_CALL, .kcall = ksys_munmap,
		.contract = fc_contract_range,
		.shadow = gen_shadow_munmap,
	},
	[SCN_OP_MPROTECT] = {
		.name = "mprotect", .parse = scn_parse_mprotect, .flags = RANGE | SCN_OPF_FC_MERGES,
		.model = exec_op_mprotect,
		.kdrive = SCN_K_CALL, .kcall = ksys_mprotect,
		.contract = fc_contract_range,
		.shadow = gen_shadow_mprotect,
	},
	[SCN_OP_MADVISE] = {
		.name = "madvise", .parse = scn_op_madvise, .flags = RANGE | SCN_OPF_FC_MERGES,
		.model = exec_op_madvise,
		/* madvise_vma_behavior() turns -ENOMEM into -EAGAIN. */
		.fail_res = { EAGAIN, ENOMEM },
		.kdrive = SCN_K_CALL, .kcall = ksys_madvise,
		.contract = fc_contract_madvise,
		.shadow = gen_shadow_madvise,
	},
	[SCN_OP_MREMAP] = {
		.name = "mremap", .parse = scn_parse_mremap, .flags = RANGE,
		.model = exec_op_mremap,
		.kdrive = SCN_K_CALL, .kcall = ksys_mremap,
		.contract = fc_check_mremap, .absorbed = fc_absorbed_remap,
		.shadow = gen_shadow_mremap,
	},
	[SCN_OP_MLOCK] = {
		.name = "mlock", .parse = scn_op_mlock, .flags = RANGE | SCN_OPF_FC_MERGES,
		.model = exec_op_mlock,
		/* mlock's populate: a fault out of memory is POSIX's EAGAIN. */
		.fail_also = EAGAIN,
		.kdrive = SCN_K_CALL, .kcall = ksys_mlock,
		.contract = fc_contract_mlock, .absorbed = fc_absorbed_exact,
		.shadow = gen_shadow_unwritten,
	},
	[SCN_OP_MUNLOCK] = {
		.name = "munlock", .parse = scn_op_mlock, .flags = RANGE | SCN_OPF_FC_MERGES,
		.model = exec_op_munlock,
		.kdrive = SCN_K_CALL, .kcall = ksys_munlock,
		.contract = fc_contract_range,
		.shadow = gen_shadow_unwritten,
	},
	[SCN_OP_MLOCKALL] = {
		.name = "mlockall", .parse = scn_op_mlockall,
		.model = exec_op_mlockall,
		.kdrive = SCN_K_CALL, .kcall = ksys_mlockall,
		.absorbed = fc_absorbed_populate,
		.shadow = gen_shadow_unwritten,
	},
	[SCN_OP_MUNLOCKALL] = {
		.name = "munlockall", .parse = scn_op_mlockall,
		.model = exec_op_munlockall,
		.kdrive = SCN_K_CALL, .kcall = ksys_munlockall,
		.absorbed = fc_absorbed_populate,
		.shadow = gen_shadow_unwritten,
	},
	[SCN_OP_BRK_BASE] = {
		.name = "brk base",
		.flags = MODEL | RANGE | SCN_OPF_NOFAIL | SCN_OPF_NO_ERRNO,
		.model = exec_op_brk_base,
		.shadow = gen_shadow_brk_base,
	},
	/* The model has a heap in the window, the kernel run not. */
	[SCN_OP_BRK] = {
		.name = "brk", .parse = scn_parse_brk, .flags = MODEL, .obs_hides = OBS_PARTS_ALL,
		.model = exec_op_brk,
		.contract = fc_contract_atomic,
		.shadow = gen_shadow_brk,
	},
	/*
	 * An access fails with VM_FAULT_OOM when an allocation does; below
	 * a stack that cannot prepare its anon_vma, or outside every VMA,
	 * it is SIGSEGV.
	 */
	[SCN_OP_READ] = {
		.name = "read", .parse = scn_parse_read, .flags = RANGE | SCN_OPF_FAULTS | SCN_OPF_VALUES,
		.model = exec_op_read,
		.fail_res = { SCN_OOM, SCN_OOM }, .fail_also = SCN_SIGSEGV,
		.kdrive = SCN_K_CALL, .kcall = ksys_read,
		.contract = fc_contract_fault,
		.shadow = gen_shadow_read,
	},
	[SCN_OP_WRITE] = {
		.name = "write", .parse = scn_parse_write, .flags = RANGE | SCN_OPF_FAULTS,
		.model = exec_op_write,
		.fail_res = { SCN_OOM, SCN_OOM }, .fail_also = SCN_SIGSEGV,
		.kdrive = SCN_K_CALL, .kcall = ksys_write,
		.contract = fc_contract_fault,
		.shadow = gen_shadow_write,
	},
	[SCN_OP_FORK] = {
		.name = "fork", .parse = scn_parse_fork,
		.model = exec_op_fork,
		.kdrive = SCN_K_FORK,
		.contract = fc_contract_atomic,
		.shadow = gen_shadow_fork,
	},
	[SCN_OP_EXIT] = {
		.name = "exit", .parse = scn_parse_exit, .flags = SCN_OPF_NOFAIL | SCN_OPF_NO_ERRNO,
		.model = exec_op_exit,
		.kdrive = SCN_K_EXIT,
		.shadow = gen_shadow_exit,
	},
	/* The kernel's pages were neither swapped nor moved. */
	[SCN_OP_SWAPOUT] = {
		.name = "swapout", .parse = scn_parse_swapout, .lead = true,
		.flags = MODEL | RANGE | SCN_OPF_FOLIOS,
		.obs_hides = OBS_PART_PAGES,
		.model = exec_op_swapout,
		.contract = fc_contract_folio,
		.shadow = gen_shadow_folio,
	},
	[SCN_OP_MIGRATE] = {
		.name = "migrate", .parse = scn_parse_folio, .lead = true,
		.flags = MODEL | RANGE | SCN_OPF_FOLIOS,
		.obs_hides = OBS_PART_PAGES,
		.model = exec_op_migrate,
		.contract = fc_contract_folio,
		.shadow = gen_shadow_folio,
	},
	[SCN_OP_REFERENCED] = {
		.name = "referenced", .parse = scn_parse_folio, .lead = true,
		.flags = MODEL | RANGE | SCN_OPF_NOFAIL | SCN_OPF_WALK,
		.model = exec_op_referenced,
	},
	[SCN_OP_RMAP] = {
		.name = "rmap", .parse = scn_parse_folio, .lead = true,
		.flags = MODEL | RANGE | SCN_OPF_NOFAIL | SCN_OPF_WALK |
			 SCN_OPF_VISITS,
		.model = exec_op_rmap,
	},
	/* The invariant checker runs after it (exec_model.c). */
	[SCN_OP_CHECK] = {
		.name = "check", .parse = scn_parse_check, .lead = true,
		.flags = MODEL | SCN_OPF_NOFAIL | SCN_OPF_NO_ERRNO |
			 SCN_OPF_CHECKER,
	},
};

/** scn_op_name() - see scenario.h. */
const char *scn_op_name(enum scn_op op)
{
	return (unsigned int)op < NR_SCN_OPS ? scn_ops[op].name : "?";
}
