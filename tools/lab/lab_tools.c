/* SPDX-License-Identifier: MIT */
/*
 * The lab's dealings with the outside: finding and running `dot` and
 * `gnuplot` (optional: scripts/install-lab-deps.sh installs them from
 * Debian), whole-file reads and writes, private temporary directories,
 * and making an SVG document fit to be inlined in an HTML page.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"

/** lab_have_program() - see lab.h. */
bool lab_have_program(const char *name)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		if (n && n + strlen(name) + 2 < sizeof(buf)) {
			memcpy(buf, path, n);
			buf[n] = '/';
			strcpy(buf + n + 1, name);
			if (access(buf, X_OK) == 0)
				return true;
		}
		path += n;
		if (*path == ':')
			path++;
	}
	return false;
}

/** lab_run_program() - see lab.h. */
int lab_run_program(char *const argv[], const char *cwd)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			if (fd > 2)
				close(fd);
		}
		if (cwd && chdir(cwd))
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/** lab_read_whole() - see lab.h. */
char *lab_read_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, got;

	if (!f)
		return NULL;
	do {
		if (n + 4096 + 1 > cap) {
			char *nb;

			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
	} while (got);
	fclose(f);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

/** lab_write_whole() - see lab.h. */
int lab_write_whole(const char *path, const char *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	if (fwrite(buf, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f) ? -1 : 0;
}

/* Remove from @s, in place, every attribute that starts at @attr (name="..."). */
static void drop_attr(char *s, const char *attr)
{
	char *p;

	while ((p = strstr(s, attr)) != NULL) {
		char *q = strchr(p + strlen(attr), '"');

		if (!q)
			return;
		memmove(p, q + 1, strlen(q + 1) + 1);
	}
}

/** lab_svg_inline() - see lab.h. */
char *lab_svg_inline(const char *svg)
{
	const char *start = strstr(svg, "<svg");
	char *out, *p;

	if (!start)
		return NULL;
	out = strdup(start);
	if (!out)
		return NULL;
	/* Comments: Graphviz names itself and its version there. */
	while ((p = strstr(out, "<!--")) != NULL) {
		char *q = strstr(p, "-->");

		if (!q)
			break;
		memmove(p, q + 3, strlen(q + 3) + 1);
	}
	drop_attr(out, " xmlns:xlink=\"");
	drop_attr(out, " xmlns=\"");
	drop_attr(out, " xml:space=\"");
	return out;
}

/** lab_tmpdir() - see lab.h. */
char *lab_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *path;

	if (!base || !*base)
		base = "/tmp";
	if (asprintf(&path, "%s/anonvma-lab.XXXXXX", base) < 0)
		return NULL;
	if (!mkdtemp(path)) {
		free(path);
		return NULL;
	}
	return path;
}

/** lab_rmtree() - see lab.h. */
void lab_rmtree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/** lab_free_strv() - see lab.h. */
void lab_free_strv(char **v)
{
	char **p;

	for (p = v; p && *p; p++)
		free(*p);
	free(v);
}

/** lab_render_dot() - see lab.h. */
int lab_render_dot(const char *dot_path, const char *fmt, const char *out_path)
{
	char tflag[32];
	char *argv[] = { "dot", tflag, "-o", (char *)out_path,
			 (char *)dot_path, NULL };

	if (!lab_have_program("dot"))
		return 1;
	snprintf(tflag, sizeof(tflag), "-T%s", fmt);
	return lab_run_program(argv, NULL) == 0 ? 0 : -1;
}
