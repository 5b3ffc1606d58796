// SPDX-License-Identifier: MIT
/*
 * A threaded program that forks: four threads each allocate and write a
 * buffer, then fork a child that writes half of it (copy-on-write) and
 * exits; the threads wait for their children.  Thread stacks, their guard
 * pages, malloc arenas and fork from a multithreaded process are what it
 * brings to a recording.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define THREADS 4
#define BYTES (256 * 1024)

static void *work(void *arg)
{
	char *buf = malloc(BYTES);
	pid_t pid;

	(void)arg;
	if (!buf)
		return (void *)1;
	memset(buf, 1, BYTES);
	pid = fork();
	if (pid == 0) {
		memset(buf, 2, BYTES / 2);
		_exit(buf[0] == 2 ? 0 : 1);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	free(buf);
	return NULL;
}

int main(void)
{
	pthread_t t[THREADS];
	int i;

	for (i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, work, NULL))
			return 1;
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	return 0;
}
