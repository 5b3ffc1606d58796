/* SPDX-License-Identifier: MIT */
/*
 * What a process can do to its address space: the model's system calls,
 * page faults, fork and exit.  Each entry point takes the mmap lock as
 * the kernel does and returns 0 (or an address) or a negative errno;
 * a refused operation changes nothing.
 */
#ifndef ANONVMA_MM_H
#define ANONVMA_MM_H

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
#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#define MADV_KEEPONFORK 19
#endif

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
 * disk since it was opened); 0 or -ENOMEM with @f unchanged.
 */
int file_grow(struct file *f, unsigned long pages);

#endif
