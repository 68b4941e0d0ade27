// SPDX-License-Identifier: GPL-2.0
/*
 * rmcast-send: send generated test messages, a file or stdin to an
 * AF_RMCAST group.  See usage() and testmsg.h.
 */
#define _GNU_SOURCE	/* ppoll */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "rmcast.h"
#include "testmsg.h"

#define MAX_OPTS	32

static const char usage_text[] =
"usage: rmcast-send [options] GROUP:PORT[%IF]\n"
"  Send messages to a reliable multicast group.  Without -f, sends\n"
"  generated self-verifying test messages (check with rmcast-recv -v).\n"
"  GROUP:PORT  239.1.2.3:7500%eth0 or [ff15::1]:7500%veth0\n"
"  -6              require an IPv6 group\n"
"  -T udp|ip       transport: UDP encapsulation (default) or IP proto 113\n"
"  -r RATE         messages per second (default: as fast as possible)\n"
"  -n COUNT        messages to send (default 1000 generated, unlimited\n"
"                  with -f; 0: unlimited)\n"
"  -s SIZE         message size in bytes (default 1024); with -f the\n"
"                  largest chunk: each read() of up to SIZE bytes is one\n"
"                  message\n"
"  -S MIN:MAX      generated sizes: 90%% in [MIN,1024], 9%% in\n"
"                  [1024,8192], 1%% in [8192,MAX], clipped to [MIN,MAX]\n"
"  --seed N        seed and sender id of generated messages, 0..65535\n"
"                  (default: derived from pid and time)\n"
"  -f FILE|-       send FILE (or stdin) instead of generated messages\n"
"  --ttl N         multicast TTL (RMCAST_TTL)\n"
"  --udp-ports M:U UDP encapsulation ports (RMCAST_UDP_PORTS): M of data\n"
"                  to the group; NAKs are taken on M and U (default\n"
"                  3056:3055)\n"
"  --opt NAME=VAL  set int socket option RMCAST_NAME (e.g. txw_msecs=5000),\n"
"                  repeatable\n"
"  --delay MS      wait MS ms after connect() before the first message\n"
"                  (SPMs go out meanwhile: receivers that learn a\n"
"                  session's window from its SPM, as OpenPGM's do, then\n"
"                  ask for a lost first message too)\n"
"  --linger MS     keep the socket open MS ms after the last send so\n"
"                  repairs can be served; SIGTERM/SIGINT end the linger\n"
"                  early (exit 0; during sending: exit 1), and the stats\n"
"                  and summary are printed either way\n"
"  --stats         print RMCAST_STATS before closing\n"
"  -q              no progress output (only the summary)\n"
"  -h, --help      this text\n"
"Prints, at the end, one line:\n"
"  send: msgs=N bytes=N seed=N tsi=GSI.SPORT hash=FNV1A64 retries=N "
"elapsed_ms=N\n"
"hash is FNV-1a-64 of all message bytes in order (rmcast-recv --hash);\n"
"elapsed_ms covers the sending only, not --linger.\n"
"Exit status 0 on success, 1 on error, 2 on bad usage.\n";

struct sockopt_set {
	int	opt;
	int	val;
};

struct send_opts {
	int			ipv6_only;
	int			transport;	/* -1: default */
	double			rate;		/* msgs/s, 0: unlimited */
	uint64_t		count;		/* 0: unlimited */
	int			count_set;
	size_t			size_min;
	size_t			size_max;
	long			seed;		/* -1: derive */
	const char		*file;
	int			ttl;		/* -1: default */
	const char		*udp_ports;	/* NULL: default */
	long			linger_ms;
	long			delay_ms;
	int			stats;
	int			quiet;
	struct sockopt_set	sockopts[MAX_OPTS];
	int			nsockopts;
	const char		*group;
};

struct send_state {
	int		fd;
	int		sig_fd;		/* SIGINT/SIGTERM/SIGHUP */
	int		stopped;	/* a signal arrived */
	int		in_fd;		/* -f input, -1 for generated */
	uint8_t		*buf;
	uint64_t	msgs;
	uint64_t	bytes;
	uint64_t	retries;
	uint64_t	hash;
	uint16_t	seed;
	struct timespec	start;
};

/* A hint after the error text of rmcast_addr_parse() / rmcast_family(). */
static const char *addr_hint(int err)
{
	if (err == EINVAL)
		return " (expected GROUP:PORT[%IFNAME], IPv6 in [])";
	if (err == EAFNOSUPPORT)
		return " (is rmcast.ko loaded?)";
	return "";
}

static void die_usage(const char *msg)
{
	fprintf(stderr, "rmcast-send: %s\n%s", msg, usage_text);
	exit(2);
}

static long parse_long(const char *s, long min, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "rmcast-send: bad %s '%s' (%ld..%ld)\n", what,
			s, min, max);
		exit(2);
	}
	return v;
}

static void parse_sizes(const char *s, struct send_opts *o)
{
	char tmp[64];
	char *colon;

	if (strlen(s) >= sizeof(tmp))
		die_usage("bad -S");
	strcpy(tmp, s);
	colon = strchr(tmp, ':');
	if (!colon)
		die_usage("-S wants MIN:MAX");
	*colon = '\0';
	o->size_min = (size_t)parse_long(tmp, 1, RMCAST_MSG_MAX, "-S min");
	o->size_max = (size_t)parse_long(colon + 1, 1, RMCAST_MSG_MAX,
					 "-S max");
	if (o->size_min > o->size_max)
		die_usage("-S MIN must not exceed MAX");
}

/* "NAME=VAL" -> option number and value. */
static void parse_sockopt(const char *s, struct sockopt_set *out)
{
	char name[64];
	const char *eq = strchr(s, '=');

	if (!eq || (size_t)(eq - s) >= sizeof(name))
		die_usage("--opt wants NAME=VALUE");
	memcpy(name, s, (size_t)(eq - s));
	name[eq - s] = '\0';
	out->opt = rmcast_optname_lookup(name);
	if (out->opt < 0) {
		fprintf(stderr, "rmcast-send: unknown socket option '%s'\n",
			name);
		exit(2);
	}
	out->val = (int)parse_long(eq + 1, -2147483647L - 1, 2147483647L,
				   "option value");
}

enum {
	OPT_SEED = 256, OPT_TTL, OPT_PORTS, OPT_DELAY, OPT_LINGER, OPT_OPT, OPT_STATS,
};

static const struct option long_opts[] = {
	{ "seed",	required_argument, NULL, OPT_SEED },
	{ "ttl",	required_argument, NULL, OPT_TTL },
	{ "udp-ports",	required_argument, NULL, OPT_PORTS },
	{ "delay",	required_argument, NULL, OPT_DELAY },
	{ "linger",	required_argument, NULL, OPT_LINGER },
	{ "opt",	required_argument, NULL, OPT_OPT },
	{ "stats",	no_argument,	   NULL, OPT_STATS },
	{ "help",	no_argument,	   NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void parse_one(int c, const char *arg, struct send_opts *o)
{
	switch (c) {
	case '6': o->ipv6_only = 1; break;
	case 'T':
		if (strcmp(arg, "udp") == 0)
			o->transport = RMCAST_TRANSPORT_UDP;
		else if (strcmp(arg, "ip") == 0)
			o->transport = RMCAST_TRANSPORT_IP;
		else
			die_usage("-T wants udp or ip");
		break;
	case 'r':
		o->rate = (double)parse_long(arg, 0, 10000000, "rate");
		break;
	case 'n':
		o->count = (uint64_t)parse_long(arg, 0, 0x7fffffffffffffffL,
						 "count");
		o->count_set = 1;
		break;
	case 's':
		o->size_min = o->size_max =
			(size_t)parse_long(arg, 1, RMCAST_MSG_MAX, "size");
		break;
	case 'S': parse_sizes(arg, o); break;
	case 'f': o->file = arg; break;
	case 'q': o->quiet = 1; break;
	case OPT_SEED: o->seed = parse_long(arg, 0, 65535, "seed"); break;
	case OPT_TTL: o->ttl = (int)parse_long(arg, 0, 255, "ttl"); break;
	case OPT_PORTS: o->udp_ports = arg; break;
	case OPT_DELAY:
		o->delay_ms = parse_long(arg, 0, 86400000L, "delay");
		break;
	case OPT_LINGER:
		o->linger_ms = parse_long(arg, 0, 86400000L, "linger");
		break;
	case OPT_OPT:
		if (o->nsockopts >= MAX_OPTS)
			die_usage("too many --opt");
		parse_sockopt(arg, &o->sockopts[o->nsockopts++]);
		break;
	case OPT_STATS: o->stats = 1; break;
	case 'h': fputs(usage_text, stdout); exit(0);
	default: die_usage("bad option");
	}
}

static void parse_args(int argc, char **argv, struct send_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->transport = -1;
	o->ttl = -1;
	o->seed = -1;
	o->size_min = o->size_max = 1024;
	while ((c = getopt_long(argc, argv, "6T:r:n:s:S:f:qh", long_opts,
				NULL)) != -1)
		parse_one(c, optarg, o);
	if (optind != argc - 1)
		die_usage("need exactly one GROUP:PORT");
	o->group = argv[optind];
	if (!o->count_set && !o->file)
		o->count = 1000;
}

static uint64_t elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - since->tv_sec) * 1000 +
	       (uint64_t)((now.tv_nsec - since->tv_nsec) / 1000000);
}

static int set_opt(int fd, int opt, int val, const char *name)
{
	if (rmcast_setopt_int(fd, opt, val) == 0)
		return 0;
	fprintf(stderr, "rmcast-send: setsockopt(%s=%d): %s\n", name, val,
		strerror(errno));
	return -1;
}

/* Create, configure and connect the socket; -1 on error (reported). */
static int open_socket(const struct send_opts *o)
{
	struct sockaddr_rmcast group;
	char name[32];
	int fd, i;

	if (rmcast_addr_parse(o->group, &group)) {
		int err = errno;

		fprintf(stderr, "rmcast-send: %s: %s%s\n", o->group,
			strerror(err), addr_hint(err));
		return -1;
	}
	if (o->ipv6_only && group.srm_addr_family != AF_INET6) {
		fprintf(stderr, "rmcast-send: -6 but %s is not IPv6\n",
			o->group);
		return -1;
	}
	fd = rmcast_socket(SOCK_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "rmcast-send: socket: %s\n", strerror(errno));
		return -1;
	}
	if ((o->transport >= 0 &&
	     set_opt(fd, RMCAST_TRANSPORT, o->transport, "transport")) ||
	    (o->ttl >= 0 && set_opt(fd, RMCAST_TTL, o->ttl, "ttl")))
		goto fail;
	if (o->udp_ports && rmcast_set_udp_ports(fd, o->udp_ports)) {
		fprintf(stderr, "rmcast-send: --udp-ports %s: %s\n",
			o->udp_ports, strerror(errno));
		goto fail;
	}
	for (i = 0; i < o->nsockopts; i++) {
		snprintf(name, sizeof(name), "option %d", o->sockopts[i].opt);
		if (set_opt(fd, o->sockopts[i].opt, o->sockopts[i].val, name))
			goto fail;
	}
	if (connect(fd, (struct sockaddr *)&group, sizeof(group))) {
		fprintf(stderr, "rmcast-send: connect %s: %s\n", o->group,
			strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/* SIGINT/SIGTERM/SIGHUP are read from a signalfd (no globals). */
static int open_signalfd(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL)) {
		fprintf(stderr, "rmcast-send: sigprocmask: %s\n",
			strerror(errno));
		return -1;
	}
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		fprintf(stderr, "rmcast-send: signalfd: %s\n", strerror(errno));
	return fd;
}

/*
 * Wait up to *tmo (NULL: forever) for events on fd (-1: none) or a
 * signal.  Returns 0, or -1 on a poll error (reported); a signal sets
 * st->stopped.
 */
static int wait_for(struct send_state *st, int fd, short events,
		    const struct timespec *tmo)
{
	struct pollfd p[2] = {
		{ .fd = st->sig_fd, .events = POLLIN },
		{ .fd = fd, .events = events },
	};

	if (ppoll(p, fd >= 0 ? 2 : 1, tmo, NULL) < 0 && errno != EINTR) {
		fprintf(stderr, "rmcast-send: ppoll: %s\n", strerror(errno));
		return -1;
	}
	if (p[0].revents)
		st->stopped = 1;
	return 0;
}

static struct timespec ms_to_ts(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (ms % 1000) * 1000000L };

	return ts;
}

/* t - now, or zero if t has passed. */
static struct timespec until(const struct timespec *t)
{
	struct timespec now, d = { 0, 0 };

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > t->tv_sec ||
	    (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec))
		return d;
	d.tv_sec = t->tv_sec - now.tv_sec;
	d.tv_nsec = t->tv_nsec - now.tv_nsec;
	if (d.tv_nsec < 0) {
		d.tv_sec--;
		d.tv_nsec += 1000000000L;
	}
	return d;
}

/* Wait until message number st->msgs is due at the requested rate. */
static int pace(const struct send_opts *o, struct send_state *st)
{
	struct timespec due = st->start, left;
	double t;

	if (o->rate <= 0)
		return 0;
	t = (double)st->msgs / o->rate;
	due.tv_sec += (time_t)t;
	due.tv_nsec += (long)((t - (double)(time_t)t) * 1e9);
	if (due.tv_nsec >= 1000000000L) {
		due.tv_sec++;
		due.tv_nsec -= 1000000000L;
	}
	for (;;) {
		left = until(&due);
		if ((!left.tv_sec && !left.tv_nsec) || st->stopped)
			return 0;
		if (wait_for(st, -1, 0, &left))
			return -1;
	}
}

/*
 * send() one message without blocking in the kernel, so that a signal
 * always ends the run: EAGAIN waits for POLLOUT (re-trying every 100 ms
 * regardless), ENOBUFS backs off 10 ms.  0 (sent, or stopped by a
 * signal) or -1 (reported).
 */
static int send_one(struct send_state *st, size_t len)
{
	while (!st->stopped) {
		struct timespec tmo;
		ssize_t n = send(st->fd, st->buf, len, MSG_DONTWAIT);
		int wfd = -1;

		if (n == (ssize_t)len) {
			st->msgs++;
			st->bytes += len;
			st->hash = fnv1a64(st->hash, st->buf, len);
			return 0;
		}
		if (n >= 0) {
			fprintf(stderr, "rmcast-send: short send %zd of %zu\n",
				n, len);
			return -1;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			wfd = st->fd;
			tmo = ms_to_ts(100);
		} else if (errno == ENOBUFS) {
			tmo = ms_to_ts(10);
		} else {
			fprintf(stderr, "rmcast-send: send message %" PRIu64
				" (%zu bytes): %s\n", st->msgs, len,
				strerror(errno));
			return -1;
		}
		st->retries++;
		if (wait_for(st, wfd, POLLOUT, &tmo))
			return -1;
	}
	return 0;
}

static int send_generated(const struct send_opts *o, struct send_state *st)
{
	struct testmsg_sizes sz;

	testmsg_sizes_init(&sz, o->size_min, o->size_max, st->seed);
	while ((o->count == 0 || st->msgs < o->count) && !st->stopped) {
		size_t len = testmsg_sizes_next(&sz);

		testmsg_fill(st->buf, len, st->seed, st->msgs);
		if (pace(o, st) || send_one(st, len))
			return -1;
	}
	return 0;
}

static int send_file(const struct send_opts *o, struct send_state *st)
{
	while ((o->count == 0 || st->msgs < o->count) && !st->stopped) {
		ssize_t n;

		/* wait for input or a signal: read() would not see one */
		if (wait_for(st, st->in_fd, POLLIN, NULL))
			return -1;
		if (st->stopped)
			break;
		n = read(st->in_fd, st->buf, o->size_max);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "rmcast-send: read %s: %s\n", o->file,
				strerror(errno));
			return -1;
		}
		if (n == 0)
			break;
		if (pace(o, st) || send_one(st, (size_t)n))
			return -1;
	}
	return 0;
}

static int open_input(const struct send_opts *o)
{
	int fd;

	if (!o->file)
		return -1;
	if (strcmp(o->file, "-") == 0)
		return STDIN_FILENO;
	fd = open(o->file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "rmcast-send: open %s: %s\n", o->file,
			strerror(errno));
		exit(1);
	}
	return fd;
}

static uint16_t pick_seed(const struct send_opts *o)
{
	struct timespec now;

	if (o->seed >= 0)
		return (uint16_t)o->seed;
	clock_gettime(CLOCK_REALTIME, &now);
	return (uint16_t)((unsigned long)getpid() * 2654435761UL ^
			  (unsigned long)now.tv_nsec);
}

/* Keep the socket open for ms (repairs), or until a signal. */
static int linger(struct send_state *st, long ms)
{
	struct timespec end, left;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ms / 1000;
	end.tv_nsec += (ms % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	for (;;) {
		left = until(&end);
		if ((!left.tv_sec && !left.tv_nsec) || st->stopped)
			return 0;
		if (wait_for(st, -1, 0, &left))
			return -1;
	}
}

static void print_stats(int fd)
{
	struct rmcast_stats s;

	if (rmcast_get_stats(fd, &s)) {
		fprintf(stderr, "rmcast-send: getsockopt(RMCAST_STATS): %s\n",
			strerror(errno));
		return;
	}
	rmcast_print_stats(stdout, "stats: ", &s);
}

/* The local TSI as text ("?" if the kernel won't say). */
static void local_tsi(int fd, char *buf, size_t len)
{
	struct rmcast_tsi tsi;
	socklen_t tl = sizeof(tsi);

	if (getsockopt(fd, SOL_RMCAST, RMCAST_LOCAL_TSI, &tsi, &tl) ||
	    tl != sizeof(tsi)) {
		fprintf(stderr, "rmcast-send: getsockopt(RMCAST_LOCAL_TSI): %s\n",
			tl != sizeof(tsi) ? "short" : strerror(errno));
		snprintf(buf, len, "?");
		return;
	}
	rmcast_tsi_format(&tsi, buf, len);
}

int main(int argc, char **argv)
{
	struct send_opts o;
	struct send_state st = { .fd = -1, .sig_fd = -1, .hash = FNV1A64_INIT };
	char tsi[RMCAST_TSISTRLEN];
	uint64_t ms;
	int err;

	parse_args(argc, argv, &o);
	st.in_fd = open_input(&o);
	st.seed = pick_seed(&o);
	st.buf = malloc(RMCAST_MSG_MAX);
	if (!st.buf) {
		fprintf(stderr, "rmcast-send: malloc: %s\n", strerror(errno));
		return 1;
	}
	st.sig_fd = open_signalfd();
	if (st.sig_fd < 0)
		return 1;
	st.fd = open_socket(&o);
	if (st.fd < 0)
		return 1;
	local_tsi(st.fd, tsi, sizeof(tsi));
	if (!o.quiet)
		fprintf(stderr, "rmcast-send: sending to %s as %s seed %u\n",
			o.group, tsi, st.seed);
	if (o.delay_ms && linger(&st, o.delay_ms))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &st.start);
	err = o.file ? send_file(&o, &st) : send_generated(&o, &st);
	ms = elapsed_ms(&st.start);
	if (st.stopped) {
		fprintf(stderr, "rmcast-send: interrupted after %" PRIu64
			" messages\n", st.msgs);
		err = -1;
	} else if (!err && o.linger_ms && linger(&st, o.linger_ms)) {
		err = -1;
	}
	if (o.stats)
		print_stats(st.fd);
	if (close(st.fd)) {
		fprintf(stderr, "rmcast-send: close: %s\n", strerror(errno));
		err = -1;
	}
	printf("send: msgs=%" PRIu64 " bytes=%" PRIu64 " seed=%u tsi=%s "
	       "hash=%016" PRIx64 " retries=%" PRIu64 " elapsed_ms=%" PRIu64
	       "\n", st.msgs, st.bytes, st.seed, tsi, st.hash, st.retries, ms);
	free(st.buf);
	return err ? 1 : 0;
}
