// SPDX-License-Identifier: MIT
/*
 * A preforking server on 127.0.0.1: the parent listens on an ephemeral
 * port, forks four workers that accept and answer one line each, then
 * forks a client that makes twelve requests; when the client is done the
 * parent stops the workers.  Everything is bounded: each socket has a
 * 5-second timeout, so a lost connection ends the run rather than
 * hanging it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORKERS 4
#define REQUESTS 12

static void timeouts(int fd)
{
	struct timeval tv = { .tv_sec = 5 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static void worker(int lfd)
{
	char *scratch = malloc(64 * 1024);

	for (;;) {
		char buf[128];
		int c = accept(lfd, NULL, NULL);
		ssize_t n;

		if (c < 0)
			_exit(0);
		timeouts(c);
		n = read(c, buf, sizeof(buf));
		if (n > 0 && scratch) {
			memset(scratch, (int)n, 64 * 1024);
			if (write(c, buf, (size_t)n) != n)
				_exit(1);
		}
		close(c);
	}
}

static int client(const struct sockaddr_in *addr)
{
	int i;

	for (i = 0; i < REQUESTS; i++) {
		char buf[32];
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		int len = snprintf(buf, sizeof(buf), "request %d\n", i);

		if (fd < 0)
			return 1;
		timeouts(fd);
		if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) ||
		    write(fd, buf, (size_t)len) != len || read(fd, buf, sizeof(buf)) != len)
			return 1;
		close(fd);
	}
	return 0;
}

int main(void)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t alen = sizeof(addr);
	pid_t workers[WORKERS], c;
	int lfd, i, st = 1;

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(lfd, 16) || getsockname(lfd, (struct sockaddr *)&addr, &alen))
		return 1;
	for (i = 0; i < WORKERS; i++) {
		workers[i] = fork();
		if (workers[i] == 0)
			worker(lfd);
	}
	c = fork();
	if (c == 0)
		_exit(client(&addr));
	waitpid(c, &st, 0);
	for (i = 0; i < WORKERS; i++)
		if (workers[i] > 0)
			kill(workers[i], SIGTERM);
	for (i = 0; i < WORKERS; i++)
		if (workers[i] > 0)
			waitpid(workers[i], NULL, 0);
	close(lfd);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
