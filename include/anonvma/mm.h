/* SPDX-License-Identifier: MIT */
/*
 * What a process can do to its address space: the model's system calls,
 * page faults, fork and exit.  Each entry point takes the mmap lock as
 * the kernel does and returns 0 (or an address) or a negative errno;
 * a refused operation changes nothing.
 */
#ifndef ANONVMA_MM_H
#define ANONVMA_MM_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>

#include "mm_types.h"

#ifndef MREMAP_MAYMOVE
#define MREMAP_MAYMOVE 1
#endif
#ifndef MREMAP_FIXED
#define MREMAP_FIXED 2
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE 0x08
#endif
#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED 0x4000000
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#define MAP_HUGE_MASK 0x3f
#endif
#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#define MADV_KEEPONFORK 19
#endif
#ifndef MADV_COLD
#define MADV_COLD 20
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED 24
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#define MADV_GUARD_REMOVE 103
#endif
#ifndef MADV_SOFT_OFFLINE
#define MADV_SOFT_OFFLINE 101
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 0x01
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif

/*
 * What the kernel accepts but the model does not implement: hugetlb
 * (MAP_HUGETLB on anonymous memory), MAP_DROPPABLE, and the madvise
 * advice about KSM, khugepaged, guard regions, page removal and memory
 * failure.  Those calls return -ENOSYS, an errno that mmap(2) and
 * madvise(2) never return on Linux, so that a caller replaying a real
 * program can tell "not modelled" from any answer of the kernel.
 */
#define ENOTMODELLED ENOSYS

/* x86-64's gap kept below a VM_GROWSDOWN VMA: 256 pages (mm/mmap.c). */
#define STACK_GUARD_GAP (256UL << 12)
/* The host's default RLIMIT_STACK, 8 MiB: the most a stack may grow to. */
#define STACK_RLIMIT (8UL << 20)

/* vm_fault_t bits returned by handle_mm_fault(). */
#define VM_FAULT_OOM		0x0001
#define VM_FAULT_SIGBUS		0x0002
#define VM_FAULT_SIGSEGV	0x0040
#define VM_FAULT_RETRY		0x0400
#define VM_FAULT_ERROR (VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV)
typedef unsigned int vm_fault_t;

#define FAULT_FLAG_WRITE	0x01

/* The kernel's default vm.max_map_count. */
#define DEFAULT_MAX_MAP_COUNT 65530
extern int sysctl_max_map_count;

/* mmap_lock helpers (include/linux/mmap_lock.h). */
void mmap_read_lock(struct mm_struct *mm);
void mmap_read_unlock(struct mm_struct *mm);
void mmap_write_lock(struct mm_struct *mm);
void mmap_write_lock_nested(struct mm_struct *mm);
void mmap_write_unlock(struct mm_struct *mm);
void mmap_write_downgrade(struct mm_struct *mm);
void mmap_assert_locked(struct mm_struct *mm);
void mmap_assert_write_locked(struct mm_struct *mm);

/** mm_alloc() - a new, empty address space (a freshly exec'd process). */
struct mm_struct *mm_alloc(void);
/** mmput() - the process exits: exit_mmap() and free the mm. */
void mmput(struct mm_struct *mm);
/**
 * dup_mm() - fork: a new mm that is a copy of @oldmm (kernel/fork.c).
 * Returns the child, or NULL with *@err set (-ENOMEM); a failed fork
 * leaves the parent untouched and the partial child torn down.
 */
struct mm_struct *dup_mm(struct mm_struct *oldmm, int *err);

/* The system calls.  Lengths are in bytes, as in the kernel's ABI. */
long sys_mmap(struct mm_struct *mm, unsigned long addr, unsigned long len,
	      unsigned long prot, unsigned long flags, struct file *file,
	      unsigned long pgoff);
int sys_munmap(struct mm_struct *mm, unsigned long start, unsigned long len);
int sys_mprotect(struct mm_struct *mm, unsigned long start, unsigned long len,
		 unsigned long prot);
long sys_mremap(struct mm_struct *mm, unsigned long addr,
		unsigned long old_len, unsigned long new_len,
		unsigned long flags, unsigned long new_addr);
int sys_madvise(struct mm_struct *mm, unsigned long start, unsigned long len,
		int behavior);
/*
 * The mlock family (mm/mlock.c).  Lengths in bytes; @start is rounded
 * down to a page as the kernel does.  Locking populates the range:
 * private writable mappings with write faults, others with read
 * faults; MLOCK_ONFAULT and MCL_ONFAULT lock without populating.
 */
int sys_mlock(struct mm_struct *mm, unsigned long start, unsigned long len);
int sys_mlock2(struct mm_struct *mm, unsigned long start, unsigned long len,
	       unsigned int flags);
int sys_munlock(struct mm_struct *mm, unsigned long start, unsigned long len);
/** sys_mlockall() - MCL_CURRENT, MCL_FUTURE (sets mm->def_flags), MCL_ONFAULT. */
int sys_mlockall(struct mm_struct *mm, unsigned long flags);
int sys_munlockall(struct mm_struct *mm);
/** sys_brk() - like brk(2): returns the new break, or the old one on failure. */
unsigned long sys_brk(struct mm_struct *mm, unsigned long brk);
/** mm_set_brk_base() - where the heap starts (the kernel picks it at exec). */
void mm_set_brk_base(struct mm_struct *mm, unsigned long base);

/**
 * insert_vm_struct() - link one VMA of a new program image as exec left
 * it (mm/exec.c): no merge, exact flags; 0, -EINVAL, -EEXIST or -ENOMEM.
 */
int insert_vm_struct(struct mm_struct *mm, unsigned long start,
		     unsigned long end, vm_flags_t vm_flags, struct file *file,
		     unsigned long pgoff);

/**
 * handle_mm_fault() - resolve a fault at @addr in @vma (mmap lock held
 * for read).  Returns 0 or VM_FAULT_* bits.
 */
vm_fault_t handle_mm_fault(struct vm_area_struct *vma, unsigned long addr,
			   unsigned int flags);

/**
 * access_page() - a user load or store of one page, as a process would
 * do it: takes the mmap lock, checks the VMA and its permissions
 * (VM_FAULT_SIGSEGV outside a VMA or without permission), faults as
 * needed and reads or writes the page's contents token.
 * @value: in: the token to store (write); out: the token read.
 */
vm_fault_t access_page(struct mm_struct *mm, unsigned long addr, bool write,
		       uint64_t *value);

/**
 * mm_set_zero_page_forbidden() - make read faults on private anonymous
 * memory allocate a page instead of mapping the zero page, as a host
 * booted with pvm_no_zero_page=1 does (mm/memory.c); false: upstream.
 */
void mm_set_zero_page_forbidden(bool forbid);
/** mm_forbids_zeropage() - do read faults in @mm avoid the zero page? */
bool mm_forbids_zeropage(const struct mm_struct *mm);

/**
 * expand_stack() - grow the VM_GROWSDOWN VMA above @addr down to it, as
 * a user fault below a stack does (mm/mmap.c).  Called with the mmap
 * lock held for read; takes it for write to grow and downgrades it
 * again.  Returns the VMA that now contains @addr with the lock held
 * for read, or NULL (no stack above @addr, the guard gap, the stack
 * limit, or no memory for the anon_vma) with the lock released.
 */
struct vm_area_struct *expand_stack(struct mm_struct *mm, unsigned long addr);

/** find_vma() - first VMA with vm_end > @addr, or NULL. */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
/** vma_lookup() - the VMA containing @addr, or NULL. */
struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr);
/** mm_vma_at() - the @i-th VMA in address order (0 <= i < map_count). */
struct vm_area_struct *mm_vma_at(struct mm_struct *mm, int i);

/** file_create() - a simulated file of @pages pages (refcount 1). */
struct file *file_create(const char *name, unsigned long pages);
void get_file(struct file *f);
void fput(struct file *f);
/**
 * file_grow() - make @f at least @pages pages long (a file that grew on
 * disk since it was opened); 0, -ENOMEM, or -EFBIG beyond 2^24 pages
 * (64 GiB: the model's page cache is one flat array), @f unchanged.
 */
int file_grow(struct file *f, unsigned long pages);

#endif
