/* SPDX-License-Identifier: MIT */
/*
 * The system calls of the scenario operations, as the driven processes
 * of a kernel run make them (kworker.c): the @kcall hooks of scn_ops[]
 * (tools/scenario/ops.h).  Each reads its arguments from the mailbox the
 * kernel pass filled (kpass.c) and leaves its result there: SCN_OK, an
 * errno value, or the signal an access took.
 *
 * They run in the driven processes, which never allocate memory or use
 * stdio.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../scenario/ops.h"
#include "kernel_internal.h"

sigjmp_buf ksys_jb;
volatile sig_atomic_t ksys_in_access;

/*
 * One load or store per page, stopping at the first that faults.  What
 * changes between sigsetjmp() and a fault's siglongjmp() is volatile.
 */
static void ksys_access(struct kmbox *mbox, bool write)
{
	volatile struct kmbox *m = mbox;
	unsigned long n = m->len / KPAGE_SIZE;
	volatile unsigned long i;

	m->nvalues = 0;
	for (i = 0; i < n; i++) {
		volatile uint64_t *q = (volatile uint64_t *)(m->addr + i * KPAGE_SIZE);
		int sig = sigsetjmp(ksys_jb, 1);

		if (sig) {
			m->result = sig == SIGBUS ? SCN_SIGBUS : SCN_SIGSEGV;
			return;
		}
		ksys_in_access = 1;
		if (write)
			*q = m->has_value ? m->value : m->token + i;
		else
			m->values[m->nvalues] = *q;
		ksys_in_access = 0;
		if (!write)
			m->nvalues++;
		m->done++;
	}
}

/** ksys_read() - see kernel_internal.h. */
void ksys_read(struct kmbox *m)
{
	ksys_access(m, false);
}

/** ksys_write() - see kernel_internal.h. */
void ksys_write(struct kmbox *m)
{
	ksys_access(m, true);
}

/** ksys_mmap() - see kernel_internal.h. */
void ksys_mmap(struct kmbox *m)
{
	void *p = mmap((void *)m->addr, m->len, (int)m->prot, (int)m->flags,
		       m->fd, (off_t)m->off);

	if (p == MAP_FAILED) {
		m->result = errno;
	} else if ((unsigned long)p != m->addr) {
		munmap(p, m->len);
		m->result = SCN_BADADDR;
	}
}

/** ksys_munmap() - see kernel_internal.h. */
void ksys_munmap(struct kmbox *m)
{
	if (munmap((void *)m->addr, m->len))
		m->result = errno;
}

/** ksys_mprotect() - see kernel_internal.h. */
void ksys_mprotect(struct kmbox *m)
{
	if (mprotect((void *)m->addr, m->len, (int)m->prot))
		m->result = errno;
}

/** ksys_madvise() - see kernel_internal.h. */
void ksys_madvise(struct kmbox *m)
{
	if (madvise((void *)m->addr, m->len, m->advice))
		m->result = errno;
}

/*
 * ksys_mremap() - a move to [addr2, addr2 + len2) with MREMAP_FIXED,
 * else a resize in place to new_len.
 */
void ksys_mremap(struct kmbox *m)
{
	void *want = (void *)(m->flags & MREMAP_FIXED ? m->addr2 : m->addr);
	void *p;

	if (m->flags & MREMAP_FIXED)
		p = mremap((void *)m->addr, m->len, m->len2, (int)m->flags,
			   (void *)m->addr2);
	else
		p = mremap((void *)m->addr, m->len, m->new_len, 0);
	if (p == MAP_FAILED)
		m->result = errno;
	else if (p != want)
		m->result = SCN_BADADDR;
}

/*
 * The mlock family goes to the kernel through syscall(): AddressSanitizer
 * intercepts munlock(), mlockall() and munlockall() and makes them
 * succeed without calling the kernel, so a sanitised worker would never
 * lock or unlock anything (real-mlock.scn and real-mlockall.scn diverged
 * under ASan only).
 */

/** ksys_mlock() - see kernel_internal.h. */
void ksys_mlock(struct kmbox *m)
{
	if (syscall(SYS_mlock2, m->addr, m->len, m->flags))
		m->result = errno;
}

/** ksys_munlock() - see kernel_internal.h. */
void ksys_munlock(struct kmbox *m)
{
	if (syscall(SYS_munlock, m->addr, m->len))
		m->result = errno;
}

/** ksys_mlockall() - see kernel_internal.h. */
void ksys_mlockall(struct kmbox *m)
{
	if (syscall(SYS_mlockall, (int)m->flags))
		m->result = errno;
}

/** ksys_munlockall() - see kernel_internal.h. */
void ksys_munlockall(struct kmbox *m)
{
	if (syscall(SYS_munlockall))
		m->result = errno;
}
