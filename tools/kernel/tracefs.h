/* SPDX-License-Identifier: MIT */
/*
 * tracefs for the tools that trace the host kernel (ktrace.c, the
 * kernel executor's instance, and tools/record): where tracefs is, or
 * mounting it privately; writing an instance's control files; removing
 * instances that killed runs left behind; and removing our own instances
 * however the process ends.
 */
#ifndef ANONVMA_TRACEFS_H
#define ANONVMA_TRACEFS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/**
 * tracefs_find() - tracefs's mount point in this process's mount
 * namespace.
 * @root: out: the directory, or "" when tracefs is not mounted.
 * @n: size of @root.
 */
void tracefs_find(char *root, size_t n);

/**
 * tracefs_open_root() - tracefs's mount point; when it is not mounted,
 * mount it in a mount namespace of this process's own (unshared here),
 * so that nothing outside this process and its children sees the mount
 * and it disappears with them.
 * @root: out: the directory.
 * @n: size of @root.
 * @err: out: why not.
 * @en: size of @err.
 *
 * Return: 0, or -1.
 */
int tracefs_open_root(char *root, size_t n, char *err, size_t en);

/**
 * tracefs_write() - write @val to the file @dir/@name.
 * @append: O_APPEND (adds to set_event_pid-like lists) instead of O_TRUNC.
 * @err: out: "write 'VAL' to PATH: reason".
 * @n: size of @err.
 *
 * Return: 0, or -1 when the file cannot be opened or the kernel takes
 * less than all of @val (an invalid filter, an unknown option...).
 */
int tracefs_write(const char *dir, const char *name, const char *val,
		  bool append, char *err, size_t n);

/**
 * tracefs_remove_stale() - remove the instances named @prefix<pid>...
 * whose process no longer runs (a run that was killed with SIGKILL
 * cannot remove its own).  Names where no pid follows @prefix are
 * another tool's and are left alone.
 * @root: tracefs's mount point.
 * @prefix: e.g. "anonvma-".
 */
void tracefs_remove_stale(const char *root, const char *prefix);

/**
 * tracefs_read_fd() - everything @fd has to give, until end of file or,
 * on a non-blocking trace_pipe, until it is empty (EAGAIN).
 * @fd: the file.
 * @lenp: out (may be NULL): the number of bytes read.
 * @error: out (may be NULL): the errno of a failed read, else 0; what
 *         was read before it is returned all the same.
 *
 * Return: the bytes read, NUL-terminated, malloc'ed; NULL when out of memory.
 */
char *tracefs_read_fd(int fd, size_t *lenp, int *error);

/* Open files that keep an instance busy (rmdir says EBUSY while they are open). */
#define TRACEFS_PINS	2

/**
 * struct tracefs_instance - an instance this process made.
 * @path: its directory.
 * @owner: the process that made it: forked children never remove it.
 * @pin: descriptors of its files (trace_marker, trace_pipe...) or -1,
 *       closed before the instance is removed.
 * @open: it exists.
 */
struct tracefs_instance {
	char path[400];
	pid_t owner;
	volatile int pin[TRACEFS_PINS];
	volatile sig_atomic_t open;
};

/**
 * tracefs_instance_create() - make instance @name under @root and have
 * it removed when this process exits, also on SIGINT, SIGTERM, SIGHUP
 * or SIGQUIT unless the program handles that signal itself (then the
 * program's own exit path removes it).
 * @ti: out; must stay valid until it is removed (static storage).
 * @root: tracefs's mount point.
 * @name: the instance's name.
 * @err: out: why not.
 * @n: size of @err.
 *
 * Return: 0, or -1.
 */
int tracefs_instance_create(struct tracefs_instance *ti, const char *root,
			    const char *name, char *err, size_t n);

/**
 * tracefs_instance_remove() - close @ti's pinning files and remove it,
 * if this process made it.  Async-signal-safe.
 */
void tracefs_instance_remove(struct tracefs_instance *ti);

#endif
