// SPDX-License-Identifier: MIT
/*
 * Layouts: building a new image from its exec snapshot, and holding an
 * image against its exit snapshot.
 *
 * At exec the kernel itself maps the program, the interpreter, the
 * stack, vdso and vvar, and writes a few pages (the argument strings and
 * auxiliary vector on the stack, the zeroed tail of each data segment)
 * without a fault the recording could show.  The snapshot has the
 * result: every VMA with its flags, and which pages are present and
 * anonymous.  Installing the VMAs and then replaying those pages as
 * writes gives the model the same VMAs and the same anon_vmas exec gave
 * the kernel, through the model's own __anon_vma_prepare().
 */
#include <stdio.h>
#include <string.h>

#include "replay_internal.h"

#define VSYSCALL_START 0xffffffffff600000ULL

/** vmflags_special() - see replay_internal.h. */
bool vmflags_special(unsigned long flags)
{
	return flags & (VM_PFNMAP | VM_IO | VM_MIXEDMAP | VM_DONTEXPAND);
}

/* The legacy vsyscall page is not a VMA of the mm (a gate area). */
static bool is_gate(const struct tsnap_vma *v)
{
	return v->start >= VSYSCALL_START;
}

/* The exec'd files, one model file per (device, inode), per exec. */
struct exec_files {
	struct {
		uint32_t dev;
		uint64_t inode;
		struct file *file;
	} f[64];
	int n;
};

static struct file *exec_file(struct exec_files *ef, const struct tsnap *s,
			      const struct tsnap_vma *v)
{
	const char *path = tsnap_path(s, v), *base = strrchr(path, '/');
	struct file *file;
	int i;

	for (i = 0; i < ef->n; i++)
		if (ef->f[i].dev == v->dev && ef->f[i].inode == v->inode)
			return ef->f[i].file;
	if (ef->n == (int)(sizeof(ef->f) / sizeof(ef->f[0])))
		return NULL;
	file = file_create(base ? base + 1 : path, 0);
	if (!file)
		return NULL;
	ef->f[ef->n].dev = v->dev;
	ef->f[ef->n].inode = v->inode;
	ef->f[ef->n].file = file;
	ef->n++;
	return file;
}

/** layout_install() - see replay_internal.h. */
void layout_install(struct rstate *st, struct rimage *img,
		    const struct tsnap *s, struct rop *op)
{
	struct exec_files ef = { .n = 0 };
	struct mm_struct *mm = img->mm;
	uint32_t i;
	int k;

	for (i = 0; i < s->nvmas; i++) {
		const struct tsnap_vma *v = &s->vmas[i];
		struct file *file = NULL;
		unsigned long pgoff = v->start >> PAGE_SHIFT;
		int err;

		if (is_gate(v))
			continue;
		if (v->inode) {
			file = exec_file(&ef, s, v);
			pgoff = v->offset >> PAGE_SHIFT;
			if (!file || file_grow(file, pgoff + ((v->end - v->start) >> PAGE_SHIFT))) {
				st->oom = true;
				break;
			}
		}
		err = insert_vm_struct(mm, v->start, v->end, v->flags, file, pgoff);
		if (err) {
			replay_note_diff(st, op, "exec layout: VMA %#llx-%#llx cannot be installed (%d)",
					 (unsigned long long)v->start,
					 (unsigned long long)v->end, err);
			op->uncomparable = true;
		}
	}
	for (k = 0; k < ef.n; k++)
		fput(ef.f[k].file);
	mm_set_brk_base(mm, s->start_brk);

	/* The pages exec wrote: replayed as the writes they were. */
	for (i = 0; i < s->nruns; i++) {
		uint64_t a, end = s->runs[i].start + s->runs[i].npages * PAGE_SIZE;

		for (a = s->runs[i].start; a < end; a += PAGE_SIZE) {
			struct vm_area_struct *vma = find_vma(mm, a);
			uint64_t token = a;

			if (!vma || vma->vm_start >= end)
				break;
			if (vma->vm_start > a) {
				/* Skip the hole at once: runs may span gaps. */
				a = vma->vm_start - PAGE_SIZE;
				continue;
			}
			if (vmflags_special(vma->vm_flags))
				continue;
			if (!(vma->vm_flags & VM_WRITE)) {
				replay_note_diff(st, op, "exec wrote page %#llx of a read-only VMA",
						 (unsigned long long)a);
				op->uncomparable = true;
				continue;
			}
			if (access_page(mm, a, true, &token) & VM_FAULT_ERROR) {
				replay_note_diff(st, op, "exec's write to %#llx fails on the model",
						 (unsigned long long)a);
				op->uncomparable = true;
			}
		}
	}
}

static const char *perms_of(const struct vm_area_struct *vma, char *buf)
{
	buf[0] = vma->vm_flags & VM_READ ? 'r' : '-';
	buf[1] = vma->vm_flags & VM_WRITE ? 'w' : '-';
	buf[2] = vma->vm_flags & VM_EXEC ? 'x' : '-';
	buf[3] = vma->vm_flags & VM_MAYSHARE ? 's' : 'p';
	buf[4] = '\0';
	return buf;
}

/*
 * Flags both sides know and the model keeps as the kernel does; soft
 * dirty is a tracking bit the model does not age.
 */
#define COMPARED_FLAGS (~(unsigned long)VM_SOFTDIRTY)

/* Is the page at @addr present in the model and not a file page? */
static bool model_anon_present(struct mm_struct *mm, unsigned long addr)
{
	pte_t *ptep, pte = { 0 };

	spin_lock(&mm->page_table_lock);
	ptep = pte_offset_map(mm, addr, false, NULL);
	if (ptep)
		pte = *ptep;
	spin_unlock(&mm->page_table_lock);
	if (!pte_present(pte))
		return false;
	if (is_zero_pte(pte))
		return true;
	return folio_test_anon(pte_folio(pte));
}

/*
 * Beyond this many pages a VMA (a large reservation, mostly PROT_NONE) is
 * checked only where the kernel has pages: walking every empty page would
 * make one snapshot cost seconds.
 */
#define FULL_COMPARE_PAGES (1UL << 18)

static bool page_differs(struct mm_struct *mm, unsigned long a, bool kernel,
			 char *why, size_t n)
{
	bool model = model_anon_present(mm, a);

	if (kernel == model)
		return false;
	snprintf(why, n, "page %#lx: %s on the kernel, %s on the model", a,
		 kernel ? "present" : "absent", model ? "present" : "absent");
	return true;
}

static bool compare_pages(struct mm_struct *mm, const struct tsnap *s,
			  const struct vm_area_struct *vma, uint32_t *run,
			  char *why, size_t n)
{
	bool full = vma_pages(vma) <= FULL_COMPARE_PAGES;
	unsigned long a;

	if (full) {
		for (a = vma->vm_start; a < vma->vm_end; a += PAGE_SIZE) {
			bool kernel;

			while (*run < s->nruns &&
			       s->runs[*run].start + s->runs[*run].npages * PAGE_SIZE <= a)
				(*run)++;
			kernel = *run < s->nruns && s->runs[*run].start <= a;
			if (page_differs(mm, a, kernel, why, n))
				return false;
		}
		return true;
	}
	for (; *run < s->nruns && s->runs[*run].start < vma->vm_end; (*run)++) {
		const struct tsnap_run *r = &s->runs[*run];
		unsigned long end = r->start + r->npages * PAGE_SIZE;

		for (a = r->start > vma->vm_start ? r->start : vma->vm_start;
		     a < end && a < vma->vm_end; a += PAGE_SIZE)
			if (page_differs(mm, a, true, why, n))
				return false;
		if (end > vma->vm_end)
			break;
	}
	return true;
}

/** layout_compare() - see replay_internal.h. */
bool layout_compare(struct rimage *img, const struct tsnap *s, char *why,
		    size_t n)
{
	struct mm_struct *mm = img->mm;
	uint32_t i, run = 0;
	int m = 0;
	char p[5];

	for (i = 0; i < s->nvmas; i++) {
		const struct tsnap_vma *v = &s->vmas[i];
		struct vm_area_struct *vma;

		if (is_gate(v))
			continue;
		if (m >= mm->map_count) {
			snprintf(why, n, "VMA %#llx-%#llx %s %s: not on the model",
				 (unsigned long long)v->start,
				 (unsigned long long)v->end, v->perms,
				 tsnap_path(s, v));
			return false;
		}
		vma = mm_vma_at(mm, m++);
		/* Before the test: a range that differs skips the strcmp, not the message. */
		perms_of(vma, p);
		if (vma->vm_start != v->start || vma->vm_end != v->end ||
		    strcmp(p, v->perms) ||
		    (vma->vm_file && (uint64_t)vma->vm_pgoff << PAGE_SHIFT != v->offset) ||
		    ((vma->vm_flags ^ v->flags) & COMPARED_FLAGS)) {
			snprintf(why, n,
				 "VMA %#llx-%#llx %s off %#llx flags %#llx %s on the kernel, %#lx-%#lx %s off %#lx flags %#lx on the model",
				 (unsigned long long)v->start,
				 (unsigned long long)v->end, v->perms,
				 (unsigned long long)v->offset,
				 (unsigned long long)v->flags, tsnap_path(s, v),
				 vma->vm_start, vma->vm_end, p,
				 vma->vm_file ? vma->vm_pgoff << PAGE_SHIFT : 0,
				 vma->vm_flags);
			return false;
		}
		if (vmflags_special(v->flags))
			continue;
		if (!compare_pages(mm, s, vma, &run, why, n))
			return false;
	}
	if (m < mm->map_count) {
		struct vm_area_struct *vma = mm_vma_at(mm, m);

		snprintf(why, n, "VMA %#lx-%#lx %s: only on the model",
			 vma->vm_start, vma->vm_end, perms_of(vma, p));
		return false;
	}
	return true;
}
