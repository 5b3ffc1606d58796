/* SPDX-License-Identifier: MIT */
/*
 * Can the host kernel be the oracle here, and which rules does it follow?
 * Root, tracefs with the kmem tracepoints, visible PFNs (kernel-oracle.md
 * §§2-3); KSM must be off for the page-sharing part (§5).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <anonvma/system.h>

#include "kernel_internal.h"

#if defined(__SANITIZE_THREAD__)
#define BUILT_WITH_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define BUILT_WITH_TSAN 1
#endif
#endif

/** kernel_design_for_release() - see kernel.h. */
int kernel_design_for_release(const char *release)
{
	int major = 0, minor = 0;

	/*
	 * The January 2026 series ("mm: clean up anon_vma implementation",
	 * spec §2) was merged after 6.19; every earlier kernel runs the
	 * pre-series anon_vma_clone / anon_vma_fork (spec §2.4).  An
	 * unreadable release is taken as the newest rules.
	 */
	if (sscanf(release, "%d.%d", &major, &minor) != 2)
		return DESIGN_MAINLINE;
	if (major < 7)
		return DESIGN_V6_18;
	return DESIGN_MAINLINE;
}

/** kernel_read_vmstat() - see kernel_internal.h. */
long kernel_read_vmstat(const char *key)
{
	FILE *f = fopen("/proc/vmstat", "r");
	char name[64];
	long val, ret = -1;

	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", name, &val) == 2)
		if (!strcmp(name, key)) {
			ret = val;
			break;
		}
	fclose(f);
	return ret;
}

/** kernel_pfns_visible() - see kernel_internal.h. */
bool kernel_pfns_visible(char *why, size_t n)
{
	volatile unsigned long probe = 1;
	unsigned long addr = (unsigned long)&probe;
	uint64_t e = 0;
	int fd;

	probe++;
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0) {
		snprintf(why, n, "cannot open /proc/self/pagemap: %s", strerror(errno));
		return false;
	}
	if (pread(fd, &e, sizeof(e), (off_t)(addr / KPAGE_SIZE * sizeof(e))) !=
	    sizeof(e)) {
		snprintf(why, n, "cannot read /proc/self/pagemap: %s", strerror(errno));
		close(fd);
		return false;
	}
	close(fd);
	if (!(e & PM_PRESENT) || !(e & PM_PFN_MASK)) {
		snprintf(why, n, "/proc/PID/pagemap hides PFNs here");
		return false;
	}
	fd = open("/proc/kpageflags", O_RDONLY);
	if (fd < 0) {
		snprintf(why, n, "cannot open /proc/kpageflags: %s", strerror(errno));
		return false;
	}
	close(fd);
	return true;
}

/** kernel_forbids_zero_page() - see kernel.h. */
bool kernel_forbids_zero_page(void)
{
	FILE *f = fopen("/sys/module/kernel/parameters/pvm_no_zero_page", "r");
	int c;

	if (!f)
		return false;
	c = fgetc(f);
	fclose(f);
	return c == 'Y' || c == '1';
}

/** kernel_probe() - see kernel.h. */
bool kernel_probe(struct kernel_info *info)
{
	struct utsname u;
	char buf[32];
	FILE *f;

	memset(info, 0, sizeof(*info));
	info->pages = true;
	if (uname(&u)) {
		snprintf(info->skipped, sizeof(info->skipped), "uname: %s",
			 strerror(errno));
		return false;
	}
	snprintf(info->release, sizeof(info->release), "%s", u.release);
	info->design = kernel_design_for_release(u.release);
	info->no_zero_page = kernel_forbids_zero_page();
	if (strcmp(u.sysname, "Linux")) {
		snprintf(info->skipped, sizeof(info->skipped),
			 "the host is %s, not Linux", u.sysname);
		return false;
	}
#ifdef BUILT_WITH_TSAN
	/* TSan refuses mappings outside its application ranges (the window). */
	snprintf(info->skipped, sizeof(info->skipped),
		 "built with ThreadSanitizer, which does not allow mappings in the scenario window");
	return false;
#endif
	if (geteuid() != 0) {
		snprintf(info->skipped, sizeof(info->skipped),
			 "not root (PFNs, /proc/kpageflags and tracefs need root)");
		return false;
	}
	if (!kernel_pfns_visible(info->skipped, sizeof(info->skipped)))
		return false;
	/* An open session (maybe a parent's) has shown tracefs works. */
	if (!ktrace_session_is_open() &&
	    !ktrace_available(info->skipped, sizeof(info->skipped)))
		return false;
	f = fopen("/sys/kernel/mm/ksm/run", "r");
	if (f) {
		if (fgets(buf, sizeof(buf), f) && atoi(buf) != 0) {
			info->pages = false;
			snprintf(info->no_pages, sizeof(info->no_pages),
				 "KSM is running (/sys/kernel/mm/ksm/run is %d): page sharing not observed",
				 atoi(buf));
		}
		fclose(f);
	}
	return true;
}
