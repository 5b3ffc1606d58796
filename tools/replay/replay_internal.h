/* SPDX-License-Identifier: MIT */
/*
 * Between the files of the replay: the state one replay threads through
 * every event (struct rstate), tasks, images and file tables
 * (replay_task.c), layouts (replay_layout.c) and the operations
 * (replay.c).
 */
#ifndef ANONVMA_REPLAY_INTERNAL_H
#define ANONVMA_REPLAY_INTERNAL_H

#include <anonvma/anonvma.h>

#include "replay.h"
#include "u64map.h"

/**
 * struct rfiles - a file descriptor table (shared by CLONE_FILES tasks).
 * @fd: the model file of each open descriptor (a reference each), or NULL.
 */
struct rfiles {
	int refs;
	struct file **fd;
	unsigned int nfd;
};

/**
 * struct rimage - a process image: one model mm and its users.
 * @res: its slot in the result (res->images[@idx]).
 * @mm: the model mm; NULL for an unknown image.
 * @users: live tasks using it (threads, vfork children before exec).
 */
struct rimage {
	size_t idx;
	struct mm_struct *mm;
	int users;
};

/*
 * What an operation is: a system call (TEV_SYS_ENTER's nr), a fault, or
 * the teardown of a task that ended without a traced exit call.
 */
enum rop_kind {
	ROP_NONE = REPLAY_OP_NONE, ROP_SYSCALL = REPLAY_OP_SYSCALL,
	ROP_FAULT = REPLAY_OP_FAULT, ROP_EXIT = REPLAY_OP_EXIT,
	ROP_STRAY = REPLAY_OP_STRAY,
};

/**
 * struct rop - the operation a task is in.
 * @ev: the event that began it.
 * @img: the image it acts on (its counts go there).
 * @kernel, @model: what each side allocated and freed during it.
 * @uncomparable: the model could not express it: counted, not compared.
 * @ret: a system call's result; @file: the file an mmap mapped.
 */
struct rop {
	enum rop_kind kind;
	const struct tevent *ev;
	struct rimage *img;
	struct rcounts kernel, model;
	bool uncomparable;
	uint64_t ret;
	const struct file *file;
};

/**
 * struct rtask - one task (a tid) of the recording.
 * @img: its mm's image; @files: its descriptor table.
 * @op: the operation it is in.
 */
struct rtask {
	int tid, tgid;
	struct rimage *img;
	struct rfiles *files;
	struct rop op;
};

/**
 * struct rstate - one replay.
 * @t: the recording; @res: what it finds.
 * @tasks: tid -> struct rtask *; @objs: kernel object -> 1 while allocated.
 * @imgs: every image made, to free them at the end.
 * @before: the model's cumulative counters before the current model action.
 */
struct rstate {
	const struct trace *t;
	const struct replay_opts *opts;
	struct replay_result *res;
	struct u64map tasks, objs;
	struct rimage **imgs;
	size_t nimgs, capimgs;
	struct rtask **alltasks;
	size_t ntasks, captasks;
	unsigned long ops_since_check;
	bool oom;
};

/* replay_task.c */
struct rtask *rtask_find(struct rstate *st, int tid);
/** rtask_new() - a task @tid of tgid @tgid on @img with @files (references taken). */
struct rtask *rtask_new(struct rstate *st, int tid, int tgid,
			struct rimage *img, struct rfiles *files);
/** rimage_new() - a new image for @mm (NULL: unknown) made by @pid, named @name. */
struct rimage *rimage_new(struct rstate *st, struct mm_struct *mm, int pid,
			  const char *name);
/** rimage_put() - a task stops using @img; the last user tears the mm down. */
void rimage_put(struct rstate *st, struct rimage *img);
/* rfiles_new(), rfiles_dup(): a table with one reference, the caller's. */
struct rfiles *rfiles_new(void);
struct rfiles *rfiles_dup(const struct rfiles *f);
void rfiles_put(struct rfiles *f);
/** rfiles_set() - @fd now refers to @file (a new reference), or to nothing. */
int rfiles_set(struct rfiles *f, unsigned long fd, struct file *file);
/** rfiles_get() - the file of @fd, made up when the recording never showed it open. */
struct file *rfiles_get(struct rfiles *f, unsigned long fd);
void replay_teardown(struct rstate *st);

/* replay_layout.c */
/** layout_install() - build @img's mm from exec snapshot @s; notes what it could not. */
void layout_install(struct rstate *st, struct rimage *img,
		    const struct tsnap *s, struct rop *op);
/**
 * layout_compare() - compare @img's model mm with exit snapshot @s.
 * Returns true when they agree, else false with the first difference in @why.
 */
bool layout_compare(struct rimage *img, const struct tsnap *s, char *why,
		    size_t n);
/** vmflags_special() - VMAs whose pages are not anonymous memory (vdso, vvar). */
bool vmflags_special(unsigned long flags);

/* replay.c */
/** replay_emit() - tell the observer (opts->event) about @e, if there is one. */
void replay_emit(struct rstate *st, struct replay_event *e,
		 const struct rimage *img, int tid);
/** model_counters() - the model's cumulative counters, for deltas. */
void model_counters(struct rcounts *c);
void rcounts_add_delta(struct rcounts *dst, const struct rcounts *after,
		       const struct rcounts *before);
void replay_note_diff(struct rstate *st, const struct rop *op,
		      const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
