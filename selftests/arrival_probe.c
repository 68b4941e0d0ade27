// SPDX-License-Identifier: GPL-2.0
/*
 * Helper of arrival_order.sh.
 *
 *   arrival_probe send GROUP COUNT RATE_PER_S
 *	sends COUNT 64-byte messages carrying their index and the
 *	CLOCK_MONOTONIC send time, paced, then lingers 5 s for repairs;
 *   arrival_probe recv GROUP COUNT
 *	binds two sockets to GROUP in this process, one in arrival order
 *	and one in order, receives COUNT messages on each, checks each is
 *	complete and exactly-once (the ordered one also in order), and for
 *	the messages the arrival socket got while an earlier one was still
 *	missing ("behind a gap") prints the median and 99th percentile
 *	delay (receive time - send time) in both modes:
 *	"behind=N arrival_p50=US arrival_p99=US ordered_p50=US ordered_p99=US"
 *
 * All hosts are namespaces of one kernel, so CLOCK_MONOTONIC agrees.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/rmcast.h>
#include "rmcast.h"

#define MSG_LEN 64

struct side {
	int fd;
	uint64_t got;
	uint64_t next;		/* ordered: next index expected */
	uint8_t *seen;
	int64_t *delay_ns;	/* per index */
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int open_sock(const char *group, int bind_it, int arrival)
{
	struct sockaddr_rmcast sa;
	int fd = rmcast_socket(0);

	if (fd < 0 || rmcast_addr_parse(group, &sa)) {
		perror("arrival_probe: socket/address");
		return -1;
	}
	if (arrival && rmcast_setopt_int(fd, RMCAST_DELIVERY,
					 RMCAST_DELIVER_ARRIVAL)) {
		perror("arrival_probe: RMCAST_DELIVERY");
		return -1;
	}
	if ((bind_it ? bind(fd, (struct sockaddr *)&sa, sizeof(sa)) :
		       connect(fd, (struct sockaddr *)&sa, sizeof(sa)))) {
		perror("arrival_probe: bind/connect");
		return -1;
	}
	return fd;
}

static int do_send(const char *group, uint64_t count, uint64_t rate)
{
	unsigned char msg[MSG_LEN] = { 0 };
	int64_t start, t;
	uint64_t i;
	int fd = open_sock(group, 0, 0);

	if (fd < 0)
		return 1;
	start = now_ns();
	for (i = 0; i < count; i++) {
		int64_t due = start + (int64_t)(i * 1000000000 / rate);
		struct timespec ts;

		while ((t = now_ns()) < due) {
			ts.tv_sec = 0;
			ts.tv_nsec = due - t;
			nanosleep(&ts, NULL);
		}
		memcpy(msg, &i, sizeof(i));
		memcpy(msg + 8, &t, sizeof(t));
		if (send(fd, msg, sizeof(msg), 0) != sizeof(msg)) {
			perror("arrival_probe: send");
			return 1;
		}
	}
	sleep(5);
	close(fd);
	return 0;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int64_t pct(int64_t *v, size_t n, unsigned int p)
{
	qsort(v, n, sizeof(*v), cmp64);
	return v[(n - 1) * p / 100];
}

/* Take one message from a side into *idxp: 1, 0 if none, -1 on error. */
static int take(struct side *s, uint64_t count, int ordered, uint64_t *idxp)
{
	unsigned char buf[256];
	struct rmcast_msginfo mi;
	int64_t ts, t;
	uint64_t idx;
	ssize_t n = rmcast_recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT, &mi);

	t = now_ns();
	if (n < 0)
		return errno == EAGAIN ? 0 : -1;
	if (n != MSG_LEN)
		return -1;
	memcpy(&idx, buf, sizeof(idx));
	memcpy(&ts, buf + 8, sizeof(ts));
	if (idx >= count || s->seen[idx]) {
		fprintf(stderr, "arrival_probe: index %" PRIu64 " %s\n", idx,
			idx >= count ? "out of range" : "twice");
		return -1;
	}
	if (ordered && idx != s->next++) {
		fprintf(stderr, "arrival_probe: %" PRIu64 " out of order\n",
			idx);
		return -1;
	}
	s->seen[idx] = 1;
	s->delay_ns[idx] = t - ts;
	s->got++;
	*idxp = idx;
	return 1;
}

static int do_recv(const char *group, uint64_t count)
{
	struct side s[2] = { { .fd = -1 }, { .fd = -1 } };	/* arrival, ordered */
	uint64_t i, contiguous = 0, nb = 0;
	int64_t *a, *o;
	uint8_t *behind;
	int k;

	behind = calloc(count, 1);
	a = calloc(count, sizeof(*a));
	o = calloc(count, sizeof(*o));
	for (k = 0; k < 2; k++) {
		s[k].fd = open_sock(group, 1, k == 0);
		s[k].seen = calloc(count, 1);
		s[k].delay_ns = calloc(count, sizeof(int64_t));
		if (s[k].fd < 0 || !s[k].seen || !s[k].delay_ns)
			return 1;
	}
	if (!behind || !a || !o)
		return 1;
	printf("ready\n");
	fflush(stdout);
	while (s[0].got < count || s[1].got < count) {
		struct pollfd p[2] = { { s[0].fd, POLLIN, 0 },
				       { s[1].fd, POLLIN, 0 } };

		if (poll(p, 2, 20000) <= 0) {
			fprintf(stderr, "arrival_probe: stalled at %" PRIu64
				"/%" PRIu64 "\n", s[0].got, s[1].got);
			return 1;
		}
		for (;;) {
			int r = take(&s[0], count, 0, &i);

			if (r < 0)
				return 1;
			if (!r)
				break;
			/* Arrived while an earlier message was missing? */
			if (i > contiguous)
				behind[i] = 1;
			while (contiguous < count && s[0].seen[contiguous])
				contiguous++;
		}
		for (;;) {
			int r = take(&s[1], count, 1, &i);

			if (r < 0)
				return 1;
			if (!r)
				break;
		}
	}
	for (i = 0; i < count; i++) {
		if (!behind[i])
			continue;
		a[nb] = s[0].delay_ns[i];
		o[nb] = s[1].delay_ns[i];
		nb++;
	}
	if (!nb) {
		printf("behind=0\n");
		return 0;
	}
	printf("behind=%" PRIu64 " arrival_p50=%" PRId64 " arrival_p99=%" PRId64
	       " ordered_p50=%" PRId64 " ordered_p99=%" PRId64 "\n", nb,
	       pct(a, nb, 50) / 1000, pct(a, nb, 99) / 1000,
	       pct(o, nb, 50) / 1000, pct(o, nb, 99) / 1000);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "send"))
		return do_send(argv[2], strtoull(argv[3], NULL, 0),
			       strtoull(argv[4], NULL, 0));
	if (argc == 4 && !strcmp(argv[1], "recv"))
		return do_recv(argv[2], strtoull(argv[3], NULL, 0));
	fprintf(stderr, "usage: arrival_probe send GROUP COUNT RATE | recv GROUP COUNT\n");
	return 2;
}
