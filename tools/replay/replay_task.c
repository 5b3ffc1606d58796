// SPDX-License-Identifier: MIT
/*
 * The replay's tasks, process images and file descriptor tables.
 *
 * A task is a tid; tids are reused by the kernel, so a task entry is
 * replaced when its tid is born again.  An image is an mm with a count
 * of the tasks that use it (threads, and vfork children until they
 * exec), and ends, as the kernel's mmput() does, when the last of them
 * leaves.  A descriptor table maps fds to model files: one model file
 * per open file description, since a VMA merge asks whether two VMAs map
 * the same struct file, not the same inode.
 */
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "replay_internal.h"

/** rtask_find() - see replay_internal.h. */
struct rtask *rtask_find(struct rstate *st, int tid)
{
	uint64_t v;

	return u64map_get(&st->tasks, (uint64_t)tid, &v) ?
	       (struct rtask *)(uintptr_t)v : NULL;
}

/** rtask_new() - see replay_internal.h. */
struct rtask *rtask_new(struct rstate *st, int tid, int tgid,
			struct rimage *img, struct rfiles *files)
{
	struct rtask *t = calloc(1, sizeof(*t)), **all;

	all = grow_array(st->alltasks, &st->captasks, st->ntasks + 1,
			 sizeof(*all));
	if (!t || !all || u64map_put(&st->tasks, (uint64_t)tid, (uintptr_t)t)) {
		free(t);
		if (all)
			st->alltasks = all;
		st->oom = true;
		return NULL;
	}
	st->alltasks = all;
	st->alltasks[st->ntasks++] = t;
	t->tid = tid;
	t->tgid = tgid;
	t->img = img;
	if (img)
		img->users++;
	t->files = files;
	if (files)
		files->refs++;
	return t;
}

/** rimage_new() - see replay_internal.h. */
struct rimage *rimage_new(struct rstate *st, struct mm_struct *mm, int pid,
			  const char *name)
{
	struct replay_result *res = st->res;
	struct rimage *img = calloc(1, sizeof(*img)), **imgs;
	struct replay_image *ri;
	size_t cap = res->nimages;

	imgs = grow_array(st->imgs, &st->capimgs, st->nimgs + 1, sizeof(*imgs));
	if (imgs)
		st->imgs = imgs;
	ri = realloc(res->images, (cap + 1) * sizeof(*ri));
	if (ri)
		res->images = ri;
	if (!img || !imgs || !ri) {
		free(img);
		st->oom = true;
		return NULL;
	}
	st->imgs[st->nimgs++] = img;
	img->idx = res->nimages++;
	img->mm = mm;
	ri = &res->images[img->idx];
	memset(ri, 0, sizeof(*ri));
	ri->id = (int)img->idx + 1;
	ri->pid = pid;
	ri->known = mm != NULL;
	snprintf(ri->name, sizeof(ri->name), "%s", name);
	return img;
}

/** rimage_put() - see replay_internal.h. */
void rimage_put(struct rstate *st, struct rimage *img)
{
	if (!img || --img->users > 0)
		return;
	if (img->mm) {
		struct mm_struct *mm = img->mm;
		int i;

		st->res->images[img->idx].vmas_at_exit = (unsigned long)mm->map_count;
		st->res->vmas += (unsigned long)mm->map_count;
		for (i = 0; i < mm->map_count; i++)
			if (mm_vma_at(mm, i)->anon_vma)
				st->res->vmas_with_av++;
		mmput(mm);
		img->mm = NULL;
	}
}

/** rfiles_new() - see replay_internal.h. */
struct rfiles *rfiles_new(void)
{
	struct rfiles *f = calloc(1, sizeof(*f));

	if (f)
		f->refs = 1;	/* the caller's */
	return f;
}

/** rfiles_dup() - see replay_internal.h. */
struct rfiles *rfiles_dup(const struct rfiles *f)
{
	struct rfiles *n = rfiles_new();
	unsigned int i;

	if (!n || !f || !f->nfd)
		return n;
	n->fd = calloc(f->nfd, sizeof(*n->fd));
	if (!n->fd) {
		free(n);
		return NULL;
	}
	n->nfd = f->nfd;
	for (i = 0; i < f->nfd; i++) {
		n->fd[i] = f->fd[i];
		if (n->fd[i])
			get_file(n->fd[i]);
	}
	return n;
}

/** rfiles_put() - see replay_internal.h. */
void rfiles_put(struct rfiles *f)
{
	unsigned int i;

	if (!f || --f->refs > 0)
		return;
	for (i = 0; i < f->nfd; i++)
		if (f->fd[i])
			fput(f->fd[i]);
	free(f->fd);
	free(f);
}

/* Descriptors above this are refused (RLIMIT_NOFILE's hard default). */
#define RFILES_MAX_FD (1u << 20)

/** rfiles_set() - see replay_internal.h. */
int rfiles_set(struct rfiles *f, unsigned long fd, struct file *file)
{
	if (fd >= RFILES_MAX_FD)
		return -1;
	if (fd >= f->nfd) {
		unsigned int n = f->nfd ? f->nfd : 16;
		struct file **nf;

		if (!file)
			return 0;
		while (n <= fd)
			n *= 2;
		nf = realloc(f->fd, n * sizeof(*nf));
		if (!nf)
			return -1;
		memset(nf + f->nfd, 0, (n - f->nfd) * sizeof(*nf));
		f->fd = nf;
		f->nfd = n;
	}
	if (file)
		get_file(file);
	if (f->fd[fd])
		fput(f->fd[fd]);
	f->fd[fd] = file;
	return 0;
}

/** rfiles_get() - see replay_internal.h. */
struct file *rfiles_get(struct rfiles *f, unsigned long fd)
{
	struct file *file;
	char name[32];

	if (fd < f->nfd && f->fd[fd])
		return f->fd[fd];
	/* Opened before the recording began (or by a call not recorded). */
	snprintf(name, sizeof(name), "fd%lu", fd);
	file = file_create(name, 0);
	if (!file)
		return NULL;
	if (rfiles_set(f, fd, file)) {
		fput(file);
		return NULL;
	}
	fput(file);
	return f->fd[fd];
}

/**
 * replay_teardown() - end every image still alive and free the replay's
 * own state; the model's objects are gone afterwards.
 */
void replay_teardown(struct rstate *st)
{
	size_t i;

	for (i = 0; i < st->ntasks; i++) {
		struct rtask *t = st->alltasks[i];

		rfiles_put(t->files);
		free(t);
	}
	for (i = 0; i < st->nimgs; i++) {
		if (st->imgs[i]->mm)
			mmput(st->imgs[i]->mm);
		free(st->imgs[i]);
	}
	free(st->alltasks);
	free(st->imgs);
	u64map_free(&st->tasks);
	u64map_free(&st->objs);
}
