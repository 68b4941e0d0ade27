/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for C selftests that build their own topology: a bridge "rtbr"
 * in the initial namespace and namespaces rt-s (sender, 10.78.0.1) and
 * rt-r1..rt-rN (receivers, 10.78.0.(10+N)), each joined by a veth pair
 * (eth0 inside, "q-s"/"q-rN" on the bridge).  Sockets are created inside
 * a namespace with ns_enter()/ns_leave() around socket(): a socket stays
 * in the namespace it was created in, so one process (one thread at a
 * time switching) can hold a source and receivers of several "hosts".
 *
 * All functions are static inline (no unused-function warnings) and
 * keep no state beyond what the caller passes.
 */
#ifndef RMCAST_NETNS_H
#define RMCAST_NETNS_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <linux/rmcast.h>
#include "rmcast.h"

#define RT_MAX_RECV	8

static inline int rt_slow(void)
{
	const char *s = getenv("RMCAST_SLOW");

	return s && !strcmp(s, "1");
}

/* Scale a time limit on the debug kernel. */
static inline int rt_scale(int v)
{
	return rt_slow() ? v * 8 : v;
}

static inline int64_t rt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline void rt_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* system() of a formatted command; its exit status (or -1). */
static inline int __attribute__((format(printf, 1, 2))) rt_sh(const char *fmt,
							      ...)
{
	char cmd[1024];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static inline void rt_topo_down(int nrecv)
{
	int i;

	rt_sh("/sbin/ip netns del rt-s 2>/dev/null");
	for (i = 1; i <= nrecv; i++)
		rt_sh("/sbin/ip netns del rt-r%d 2>/dev/null", i);
	rt_sh("/sbin/ip link del rtbr 2>/dev/null");
}

/* 0, or -1 (the topology is then torn down again). */
static inline int rt_topo_up(int nrecv)
{
	int i, host;
	char ns[16], port[16];

	rt_topo_down(RT_MAX_RECV);
	if (rt_sh("/sbin/ip link add rtbr type bridge mcast_snooping 0") ||
	    rt_sh("/sbin/ip link set rtbr up"))
		goto err;
	for (i = 0; i <= nrecv; i++) {
		if (i == 0) {
			snprintf(ns, sizeof(ns), "rt-s");
			snprintf(port, sizeof(port), "q-s");
			host = 1;
		} else {
			snprintf(ns, sizeof(ns), "rt-r%d", i);
			snprintf(port, sizeof(port), "q-r%d", i);
			host = 10 + i;
		}
		if (rt_sh("/sbin/ip netns add %s", ns) ||
		    rt_sh("/sbin/ip link add %s type veth peer name eth0 netns %s",
			  port, ns) ||
		    rt_sh("/sbin/ip link set %s master rtbr up", port) ||
		    rt_sh("/sbin/ip -n %s link set lo up", ns) ||
		    rt_sh("/sbin/ip -n %s addr add 10.78.0.%d/24 dev eth0", ns,
			  host) ||
		    rt_sh("/sbin/ip -n %s link set eth0 up", ns))
			goto err;
	}
	return 0;
err:
	rt_topo_down(nrecv);
	return -1;
}

/*
 * Enter namespace @ns ("rt-s", "rt-r1"; NULL: stay).  Returns an fd of
 * the namespace we were in, for rt_ns_leave(); -1 on failure.
 */
static inline int rt_ns_enter(const char *ns)
{
	char path[64];
	int old, fd;

	old = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (old < 0 || !ns)
		return old;
	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET)) {
		if (fd >= 0)
			close(fd);
		close(old);
		return -1;
	}
	close(fd);
	return old;
}

static inline void rt_ns_leave(int old)
{
	if (old >= 0) {
		if (setns(old, CLONE_NEWNET))
			perror("setns back");
		close(old);
	}
}

/* "239.78.0.1" port 7500 on eth0 of the current namespace. */
static inline int rt_addr(struct sockaddr_rmcast *sa, const char *group,
			  int port)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "%s:%d%%eth0", group, port);
	return rmcast_addr_parse(buf, sa);
}

/*
 * A socket in namespace @ns with int options @opts (pairs of option,
 * value, terminated by -1), then bound (@bind_it) or connected to
 * @group:@port.  fd, or -1 with errno.
 */
static inline int rt_sock(const char *ns, const char *group, int port,
			  int bind_it, const int *opts)
{
	struct sockaddr_rmcast sa;
	int old, fd = -1, err = 0;

	old = rt_ns_enter(ns);
	if (old < 0)
		return -1;
	fd = rmcast_socket(SOCK_CLOEXEC);
	if (fd < 0) {
		err = errno;
		goto out;
	}
	for (; opts && opts[0] >= 0; opts += 2) {
		if (rmcast_setopt_int(fd, opts[0], opts[1])) {
			err = errno;
			goto out;
		}
	}
	if (rt_addr(&sa, group, port) ||
	    (bind_it ? bind(fd, (struct sockaddr *)&sa, sizeof(sa)) :
		       connect(fd, (struct sockaddr *)&sa, sizeof(sa))))
		err = errno;
out:
	rt_ns_leave(old);
	if (err) {
		if (fd >= 0)
			close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/* Read an int sysctl of namespace @ns (NULL: current). -1 on error. */
static inline long rt_sysctl_get(const char *ns, const char *name)
{
	char path[128], buf[64];
	long v = -1;
	ssize_t n;
	int old, fd;

	old = rt_ns_enter(ns);
	if (old < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/sys/net/rmcast/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		if (n > 0) {
			buf[n] = 0;
			v = strtol(buf, NULL, 10);
		}
		close(fd);
	}
	rt_ns_leave(old);
	return v;
}

/* Write a sysctl of @ns as text.  0, or -errno of open()/write(). */
static inline int rt_sysctl_set(const char *ns, const char *name,
				const char *val)
{
	char path[128];
	int old, fd, ret = 0;
	size_t len = strlen(val);

	old = rt_ns_enter(ns);
	if (old < 0)
		return -errno;
	snprintf(path, sizeof(path), "/proc/sys/net/rmcast/%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
	} else {
		if (write(fd, val, len) != (ssize_t)len)
			ret = -errno;
		close(fd);
	}
	rt_ns_leave(old);
	return ret;
}

static inline int rt_cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Percentile p (0..100) of v[0..n-1], sorting v; nearest rank. */
static inline int64_t rt_pct(int64_t *v, size_t n, unsigned int p)
{
	size_t k;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), rt_cmp64);
	k = (n * p + 99) / 100;
	return v[k ? k - 1 : 0];
}

static inline uint64_t rt_stat(int fd, size_t off)
{
	struct rmcast_stats st;

	if (rmcast_get_stats(fd, &st))
		return UINT64_MAX;
	return *(uint64_t *)((char *)&st + off);
}

#define RT_STAT(fd, field) rt_stat(fd, offsetof(struct rmcast_stats, field))

#endif /* RMCAST_NETNS_H */
