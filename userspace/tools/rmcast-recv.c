// SPDX-License-Identifier: GPL-2.0
/*
 * rmcast-recv: receive from an AF_RMCAST group; print, save or verify the
 * messages of rmcast-send.  See usage() and testmsg.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "rmcast.h"
#include "testmsg.h"

#define MAX_OPTS	32
#define MAX_REPORTS	10		/* detailed complaints per kind */
#define MAX_INDEX	(1ULL << 32)	/* bitmap limit per source */
#define PRINT_MAX	256		/* -p: bytes of a message shown */

static const char usage_text[] =
"usage: rmcast-recv [options] GROUP:PORT[%IF]\n"
"  Receive from a reliable multicast group (bind()).\n"
"  -6              require an IPv6 group\n"
"  -T udp|ip       transport: UDP encapsulation (default) or IP proto 113\n"
"  -p              print each message: source, sequence, length and the\n"
"                  first 256 bytes, escaped\n"
"  -o FILE|-       append all messages' bytes to FILE (- : stdout; the\n"
"                  summary then goes to stderr)\n"
"  -v              verify rmcast-send's generated messages: per source\n"
"                  exactly once, in order (gaps only where a loss record\n"
"                  reports them), byte-identical, from one TSI per sender\n"
"  -n COUNT        exit after COUNT messages in total (all sources)\n"
"  -t MS           exit when no message arrived for MS ms\n"
"  --expect-sources K  fail unless exactly K sources were seen\n"
"  --late-join     -v: a source's first message may have any index\n"
"  --udp-ports M:U UDP encapsulation ports (RMCAST_UDP_PORTS): M of data\n"
"                  to the group and of NAKs to sources, U the port NAKs\n"
"                  come from (default 3056:3055)\n"
"  --hash          print FNV-1a-64 of each source's concatenated messages\n"
"  --arrival       RMCAST_DELIVERY = arrival order (-v then checks\n"
"                  exactly-once but not order)\n"
"  --stats         print RMCAST_STATS at exit\n"
"  --sleep-after N:MS  stop reading for MS ms after the N-th message\n"
"  --opt NAME=VAL  set int socket option RMCAST_NAME, repeatable\n"
"  -h, --help      this text\n"
"At the end prints one line per source (with -v or --hash):\n"
"  recv-source: tsi=... addr=... seed=N msgs=N bytes=N lost=N hash=HEX\n"
"and one summary line:\n"
"  recv: msgs=N bytes=N sources=N dup=N order_err=N corrupt=N lost=N\n"
"        gap_err=N src_err=N trunc=N unverified=N loss_records=N\n"
"        lost_sqns=N reset=0|1 [hash=TSI:HEX ...]   (all on one line)\n"
"lost: messages missing where a loss record explains it; gap_err: missing\n"
"without one.  unverified: messages too short to carry their seed or\n"
"index when it could not be inferred (see testmsg.h).\n"
"Exit status 0 if everything passed (with -n: COUNT messages arrived),\n"
"1 otherwise, 2 on bad usage.\n";

struct sockopt_set {
	int	opt;
	int	val;
};

struct recv_opts {
	int			ipv6_only;
	int			transport;	/* -1: default */
	int			print;
	const char		*outfile;
	int			verify;
	uint64_t		count;		/* 0: unlimited */
	long			timeout_ms;	/* 0: none */
	long			expect_sources;	/* -1: any */
	int			late_join;
	const char		*udp_ports;	/* NULL: default */
	int			hash;
	int			arrival;
	int			stats;
	uint64_t		sleep_after;
	long			sleep_ms;
	struct sockopt_set	sockopts[MAX_OPTS];
	int			nsockopts;
	const char		*group;
};

/* An unmatched loss record of one source. */
struct loss_range {
	uint32_t	first;
	uint32_t	last;
};

struct source {
	struct rmcast_tsi	tsi;
	char			addr[RMCAST_ADDRSTRLEN];
	int			seed_known;
	uint16_t		seed;
	int			started;	/* a message with index seen */
	int			resync;		/* next index unknown */
	uint64_t		next;		/* next index expected */
	uint64_t		max_index;
	int			has_seq;
	uint32_t		last_seq;
	uint8_t			*seen;		/* bitmap of indices */
	uint64_t		seen_bits;
	uint64_t		distinct;
	uint64_t		msgs;
	uint64_t		bytes;
	uint64_t		hash;
	uint64_t		lost;
	uint64_t		loss_records;
	uint64_t		short_msgs;	/* index unknown (arrival) */
	struct loss_range	*pending;
	size_t			npending;
};

struct counters {
	uint64_t	msgs;
	uint64_t	bytes;
	uint64_t	dup;
	uint64_t	order_err;
	uint64_t	corrupt;
	uint64_t	lost;
	uint64_t	gap_err;
	uint64_t	src_err;
	uint64_t	trunc;
	uint64_t	unverified;
	uint64_t	loss_records;
	uint64_t	lost_sqns;
	int		reset;
	int		fatal;		/* a syscall failed */
};

struct recv_state {
	const struct recv_opts	*o;
	int			fd;
	int			sig_fd;
	FILE			*out;
	FILE			*summary;
	uint8_t			*buf;
	uint8_t			*scratch;
	struct source		*src;
	size_t			nsrc;
	struct counters		c;
	int			slept;
};

/* ---- option parsing --------------------------------------------------- */

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
	fprintf(stderr, "rmcast-recv: %s\n%s", msg, usage_text);
	exit(2);
}

static long parse_long(const char *s, long min, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "rmcast-recv: bad %s '%s' (%ld..%ld)\n", what,
			s, min, max);
		exit(2);
	}
	return v;
}

static void parse_sleep(const char *s, struct recv_opts *o)
{
	char tmp[64];
	char *colon;

	if (strlen(s) >= sizeof(tmp))
		die_usage("bad --sleep-after");
	strcpy(tmp, s);
	colon = strchr(tmp, ':');
	if (!colon)
		die_usage("--sleep-after wants N:MS");
	*colon = '\0';
	o->sleep_after = (uint64_t)parse_long(tmp, 1, 0x7fffffffffffffffL,
					      "--sleep-after N");
	o->sleep_ms = parse_long(colon + 1, 0, 86400000L, "--sleep-after MS");
}

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
		fprintf(stderr, "rmcast-recv: unknown socket option '%s'\n",
			name);
		exit(2);
	}
	out->val = (int)parse_long(eq + 1, -2147483647L - 1, 2147483647L,
				   "option value");
}

enum {
	OPT_EXPECT = 256, OPT_LATE, OPT_PORTS, OPT_HASH, OPT_ARRIVAL, OPT_STATS,
	OPT_SLEEP, OPT_OPT,
};

static const struct option long_opts[] = {
	{ "expect-sources", required_argument, NULL, OPT_EXPECT },
	{ "late-join",	no_argument,	   NULL, OPT_LATE },
	{ "udp-ports",	required_argument, NULL, OPT_PORTS },
	{ "hash",	no_argument,	   NULL, OPT_HASH },
	{ "arrival",	no_argument,	   NULL, OPT_ARRIVAL },
	{ "stats",	no_argument,	   NULL, OPT_STATS },
	{ "sleep-after", required_argument, NULL, OPT_SLEEP },
	{ "opt",	required_argument, NULL, OPT_OPT },
	{ "help",	no_argument,	   NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void parse_one(int c, const char *arg, struct recv_opts *o)
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
	case 'p': o->print = 1; break;
	case 'o': o->outfile = arg; break;
	case 'v': o->verify = 1; break;
	case 'n':
		o->count = (uint64_t)parse_long(arg, 1, 0x7fffffffffffffffL,
						 "count");
		break;
	case 't':
		o->timeout_ms = parse_long(arg, 1, 86400000L, "timeout");
		break;
	case OPT_EXPECT:
		o->expect_sources = parse_long(arg, 0, 1000000, "sources");
		break;
	case OPT_LATE: o->late_join = 1; break;
	case OPT_PORTS: o->udp_ports = arg; break;
	case OPT_HASH: o->hash = 1; break;
	case OPT_ARRIVAL: o->arrival = 1; break;
	case OPT_STATS: o->stats = 1; break;
	case OPT_SLEEP: parse_sleep(arg, o); break;
	case OPT_OPT:
		if (o->nsockopts >= MAX_OPTS)
			die_usage("too many --opt");
		parse_sockopt(arg, &o->sockopts[o->nsockopts++]);
		break;
	case 'h': fputs(usage_text, stdout); exit(0);
	default: die_usage("bad option");
	}
}

static void parse_args(int argc, char **argv, struct recv_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->transport = -1;
	o->expect_sources = -1;
	while ((c = getopt_long(argc, argv, "6T:po:vn:t:h", long_opts,
				NULL)) != -1)
		parse_one(c, optarg, o);
	if (optind != argc - 1)
		die_usage("need exactly one GROUP:PORT");
	o->group = argv[optind];
}

/* ---- setup ------------------------------------------------------------ */

static int set_opt(int fd, int opt, int val)
{
	if (rmcast_setopt_int(fd, opt, val) == 0)
		return 0;
	fprintf(stderr, "rmcast-recv: setsockopt(%d, %d): %s\n", opt, val,
		strerror(errno));
	return -1;
}

static int configure(int fd, const struct recv_opts *o)
{
	int i;

	if (o->transport >= 0 && set_opt(fd, RMCAST_TRANSPORT, o->transport))
		return -1;
	if (o->arrival && set_opt(fd, RMCAST_DELIVERY, RMCAST_DELIVER_ARRIVAL))
		return -1;
	if (o->udp_ports && rmcast_set_udp_ports(fd, o->udp_ports)) {
		fprintf(stderr, "rmcast-recv: --udp-ports %s: %s\n",
			o->udp_ports, strerror(errno));
		return -1;
	}
	for (i = 0; i < o->nsockopts; i++)
		if (set_opt(fd, o->sockopts[i].opt, o->sockopts[i].val))
			return -1;
	return 0;
}

/* Create, configure and bind the socket; -1 on error (reported). */
static int open_socket(const struct recv_opts *o)
{
	struct sockaddr_rmcast group;
	int fd;

	if (rmcast_addr_parse(o->group, &group)) {
		int err = errno;

		fprintf(stderr, "rmcast-recv: %s: %s%s\n", o->group,
			strerror(err), addr_hint(err));
		return -1;
	}
	if (o->ipv6_only && group.srm_addr_family != AF_INET6) {
		fprintf(stderr, "rmcast-recv: -6 but %s is not IPv6\n",
			o->group);
		return -1;
	}
	fd = rmcast_socket(SOCK_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "rmcast-recv: socket: %s\n", strerror(errno));
		return -1;
	}
	if (configure(fd, o))
		goto fail;
	if (bind(fd, (struct sockaddr *)&group, sizeof(group))) {
		fprintf(stderr, "rmcast-recv: bind %s: %s\n", o->group,
			strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/* SIGINT/SIGTERM/SIGHUP end the run through a signalfd (no globals). */
static int open_signalfd(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL)) {
		fprintf(stderr, "rmcast-recv: sigprocmask: %s\n",
			strerror(errno));
		return -1;
	}
	fd = signalfd(-1, &set, SFD_CLOEXEC);
	if (fd < 0)
		fprintf(stderr, "rmcast-recv: signalfd: %s\n", strerror(errno));
	return fd;
}

static int open_output(struct recv_state *st)
{
	const char *f = st->o->outfile;

	st->summary = stdout;
	if (!f)
		return 0;
	if (strcmp(f, "-") == 0) {
		st->out = stdout;
		st->summary = stderr;
		return 0;
	}
	st->out = fopen(f, "ae");
	if (!st->out) {
		fprintf(stderr, "rmcast-recv: open %s: %s\n", f,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- sources ---------------------------------------------------------- */

static struct source *find_source(struct recv_state *st,
				  const struct rmcast_tsi *tsi)
{
	size_t i;

	for (i = 0; i < st->nsrc; i++)
		if (memcmp(&st->src[i].tsi, tsi, sizeof(*tsi)) == 0)
			return &st->src[i];
	return NULL;
}

/* Find or add the source with this TSI; NULL on allocation failure. */
static struct source *get_source(struct recv_state *st,
				 const struct rmcast_tsi *tsi)
{
	struct source *s = find_source(st, tsi), *n;

	if (s)
		return s;
	n = realloc(st->src, (st->nsrc + 1) * sizeof(*n));
	if (!n) {
		fprintf(stderr, "rmcast-recv: realloc: %s\n", strerror(errno));
		st->c.fatal = 1;
		return NULL;
	}
	st->src = n;
	s = &n[st->nsrc++];
	memset(s, 0, sizeof(*s));
	s->tsi = *tsi;
	s->hash = FNV1A64_INIT;
	rmcast_tsi_format(tsi, s->addr, sizeof(s->addr));
	return s;
}

/* Report a problem with source s; only the first MAX_REPORTS per kind. */
__attribute__((format(printf, 4, 5)))
static void complain(const struct recv_state *st, uint64_t count,
		     const struct source *s, const char *fmt, ...)
{
	char tsi[RMCAST_TSISTRLEN];
	va_list ap;

	(void)st;
	if (count > MAX_REPORTS)
		return;
	rmcast_tsi_format(&s->tsi, tsi, sizeof(tsi));
	fprintf(stderr, "rmcast-recv: %s: ", tsi);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (count == MAX_REPORTS)
		fprintf(stderr, "rmcast-recv: (further reports suppressed)\n");
}

/* ---- loss records ------------------------------------------------------ */

static void add_pending(struct recv_state *st, struct source *s,
			const struct rmcast_loss *l)
{
	struct loss_range *n;

	n = realloc(s->pending, (s->npending + 1) * sizeof(*n));
	if (!n) {
		fprintf(stderr, "rmcast-recv: realloc: %s\n", strerror(errno));
		st->c.fatal = 1;
		return;
	}
	s->pending = n;
	n[s->npending].first = l->first;
	n[s->npending].last = l->last;
	s->npending++;
}

/* Read every queued loss record. */
static void drain_losses(struct recv_state *st)
{
	struct rmcast_loss l;
	char tsi[RMCAST_TSISTRLEN];

	while (rmcast_read_loss(st->fd, &l) == 0) {
		struct source *s = get_source(st, &l.tsi);

		if (!s)
			return;
		st->c.loss_records++;
		st->c.lost_sqns += rmcast_loss_count(&l);
		s->loss_records++;
		add_pending(st, s, &l);
		fprintf(stderr, "rmcast-recv: loss %s sqn %u..%u (%s)\n",
			rmcast_tsi_format(&l.tsi, tsi, sizeof(tsi)), l.first,
			l.last, rmcast_loss_cause_name(l.cause));
	}
	if (errno != EAGAIN && errno != EWOULDBLOCK) {
		fprintf(stderr, "rmcast-recv: read error queue: %s\n",
			strerror(errno));
		if (errno != EPROTO)
			st->c.fatal = 1;
	}
}

/* Serial-number a < b (RFC 1982 style, 32 bits). */
static int sqn_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

/*
 * Is a gap of missing messages, ending just before the message with
 * sequence seq, explained by a pending loss record?  Consumes the
 * records up to seq.  Without sequence numbers any pending record does.
 */
static int gap_explained(struct recv_state *st, struct source *s,
			 int has_seq, uint32_t seq)
{
	size_t i, keep = 0;
	int found = 0;

	drain_losses(st);
	for (i = 0; i < s->npending; i++) {
		struct loss_range *r = &s->pending[i];
		int before = !has_seq || sqn_before(r->last, seq);
		int after = !has_seq || !s->has_seq ||
			    sqn_before(s->last_seq, r->first);

		if (before && after)
			found = 1;
		if (!before)
			s->pending[keep++] = *r;
	}
	s->npending = keep;
	return found;
}

/* ---- verification ---------------------------------------------------- */

static int mark_seen(struct recv_state *st, struct source *s, uint64_t idx)
{
	if (idx >= s->seen_bits) {
		uint64_t bits = s->seen_bits ? s->seen_bits : 4096;
		uint8_t *n;

		while (bits <= idx)
			bits *= 2;
		n = realloc(s->seen, bits / 8);
		if (!n) {
			fprintf(stderr, "rmcast-recv: realloc: %s\n",
				strerror(errno));
			st->c.fatal = 1;
			return -1;
		}
		memset(n + s->seen_bits / 8, 0, (bits - s->seen_bits) / 8);
		s->seen = n;
		s->seen_bits = bits;
	}
	if (s->seen[idx / 8] & (1u << (idx % 8)))
		return 1;
	s->seen[idx / 8] |= (uint8_t)(1u << (idx % 8));
	s->distinct++;
	if (idx > s->max_index)
		s->max_index = idx;
	return 0;
}

/* Ordered delivery: check idx against the next expected index. */
static void check_order(struct recv_state *st, struct source *s,
			uint64_t idx, const struct rmcast_msginfo *mi)
{
	uint64_t expect = s->started ? s->next : 0;

	if (s->resync || (!s->started && st->o->late_join) || idx == expect)
		goto ok;
	if (idx < expect) {
		st->c.order_err++;
		complain(st, st->c.order_err, s, "index %" PRIu64
			 " after %" PRIu64 " (out of order)", idx, expect - 1);
		return;
	}
	if (gap_explained(st, s, mi->has_seq, mi->seq)) {
		s->lost += idx - expect;
		st->c.lost += idx - expect;
	} else {
		st->c.gap_err++;
		complain(st, st->c.gap_err, s, "messages %" PRIu64 "..%"
			 PRIu64 " missing, no loss record between sqn %u"
			 " and %u", expect, idx - 1, s->last_seq, mi->seq);
	}
ok:
	s->started = 1;
	s->resync = 0;
	s->next = idx + 1;
}

/* Learn or check the sender seed of s; 0 if consistent. */
static int check_seed(struct recv_state *st, struct source *s, uint16_t seed)
{
	size_t i;

	if (s->seed_known) {
		if (s->seed == seed)
			return 0;
		st->c.src_err++;
		complain(st, st->c.src_err, s, "sender id %u from the source"
			 " of sender %u", seed, s->seed);
		return -1;
	}
	s->seed_known = 1;
	s->seed = seed;
	for (i = 0; i < st->nsrc; i++) {
		if (&st->src[i] != s && st->src[i].seed_known &&
		    st->src[i].seed == seed) {
			st->c.src_err++;
			complain(st, st->c.src_err, s, "sender id %u also seen"
				 " from another TSI", seed);
		}
	}
	return 0;
}

/*
 * The index of a message: from its header, or inferred (ordered delivery)
 * as the next expected one.  -1 if unknown.
 */
static int msg_index(struct recv_state *st, struct source *s,
		     const struct testmsg_hdr *h,
		     const struct rmcast_msginfo *mi, uint64_t *idx)
{
	size_t i;

	if (h->has_index) {
		*idx = h->index;
		return 0;
	}
	if (st->o->arrival || s->resync || (!s->started && st->o->late_join))
		return -1;
	/* After a hole it is not the next one: which one is unknowable. */
	drain_losses(st);
	for (i = 0; i < s->npending; i++)
		if (!mi->has_seq || sqn_before(s->pending[i].last, mi->seq))
			return -1;
	*idx = s->started ? s->next : 0;
	return 0;
}

/*
 * Compare the message with what sender s->seed generated as message idx.
 * Without a known seed (a message too short to carry one, first from its
 * source) only the magic prefix can be checked: counted unverified.
 * Returns -1 if it matches, else the offset of the first bad byte.
 */
static long check_content(struct recv_state *st, struct source *s, size_t n,
			  uint64_t idx)
{
	uint8_t magic[2] = { TESTMSG_MAGIC >> 8, TESTMSG_MAGIC & 0xff };
	size_t i;

	if (idx >= MAX_INDEX)
		return 4;	/* where the index starts */
	if (s->seed_known)
		return testmsg_check(st->buf, n, s->seed, idx, st->scratch);
	st->c.unverified++;
	for (i = 0; i < n && i < sizeof(magic); i++)
		if (st->buf[i] != magic[i])
			return (long)i;
	return -1;
}

static void verify_msg(struct recv_state *st, struct source *s, size_t n,
		       const struct rmcast_msginfo *mi)
{
	struct testmsg_hdr h;
	uint64_t idx;
	long bad;

	testmsg_parse(st->buf, n, &h);
	if (h.has_seed && check_seed(st, s, h.seed))
		return;
	if (msg_index(st, s, &h, mi, &idx)) {
		/* too short to name its index, and it cannot be inferred */
		st->c.unverified++;
		s->short_msgs++;
		if (!st->o->arrival)
			s->resync = 1;
		return;
	}
	bad = check_content(st, s, n, idx);
	if (bad >= 0) {
		st->c.corrupt++;
		complain(st, st->c.corrupt, s, "message %" PRIu64
			 " (%zu bytes) corrupt at byte %ld", idx, n, bad);
		s->resync = !st->o->arrival;	/* don't count it twice */
		return;
	}
	if (mark_seen(st, s, idx)) {
		st->c.dup++;
		complain(st, st->c.dup, s, "message %" PRIu64 " duplicated",
			 idx);
		return;
	}
	if (!st->o->arrival)
		check_order(st, s, idx, mi);
}

/* Arrival order: indices never seen at the end are lost or errors. */
static void final_holes(struct recv_state *st)
{
	size_t i;

	for (i = 0; i < st->nsrc; i++) {
		struct source *s = &st->src[i];
		uint64_t holes;

		if (!s->distinct)
			continue;
		holes = s->max_index + 1 - s->distinct;
		holes = holes > s->short_msgs ? holes - s->short_msgs : 0;
		if (!holes)
			continue;
		if (s->loss_records) {
			s->lost += holes;
			st->c.lost += holes;
		} else {
			st->c.gap_err++;
			complain(st, 0, s, "%" PRIu64 " messages missing below %"
				 PRIu64 ", no loss record", holes, s->max_index);
		}
	}
}

/* ---- receiving --------------------------------------------------------- */

static void print_msg(struct recv_state *st, size_t n,
		      const struct rmcast_msginfo *mi)
{
	char addr[RMCAST_ADDRSTRLEN];
	size_t i, shown = n < PRINT_MAX ? n : PRINT_MAX;

	rmcast_addr_format(&mi->src, addr, sizeof(addr));
	printf("msg src=%s", addr);
	if (mi->has_seq)
		printf(" seq=%u", mi->seq);
	printf(" len=%zu%s data=\"", n, mi->truncated ? " TRUNC" : "");
	for (i = 0; i < shown; i++) {
		uint8_t b = st->buf[i];

		if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\')
			putchar(b);
		else
			printf("\\x%02x", b);
	}
	printf("\"%s\n", shown < n ? "..." : "");
}

static int handle_msg(struct recv_state *st, size_t n,
		      const struct rmcast_msginfo *mi)
{
	struct source *s = get_source(st, &mi->src.srm_tsi);

	if (!s)
		return -1;
	if (!s->msgs) {
		struct sockaddr_rmcast a = mi->src;

		memset(&a.srm_tsi, 0, sizeof(a.srm_tsi));
		rmcast_addr_format(&a, s->addr, sizeof(s->addr));
	}
	s->msgs++;
	s->bytes += n;
	s->hash = fnv1a64(s->hash, st->buf, n);
	st->c.msgs++;
	st->c.bytes += n;
	if (mi->truncated)
		st->c.trunc++;
	if (st->o->print)
		print_msg(st, n, mi);
	if (st->out && fwrite(st->buf, 1, n, st->out) != n) {
		fprintf(stderr, "rmcast-recv: write %s: %s\n", st->o->outfile,
			strerror(errno));
		st->c.fatal = 1;
		return -1;
	}
	if (st->o->verify)
		verify_msg(st, s, n, mi);
	if (mi->has_seq) {
		s->has_seq = 1;
		s->last_seq = mi->seq;
	}
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int done(const struct recv_state *st)
{
	return st->c.fatal || st->c.reset ||
	       (st->o->count && st->c.msgs >= st->o->count);
}

/* Receive everything queued; 0 when drained, -1 to stop. */
static int recv_batch(struct recv_state *st)
{
	struct rmcast_msginfo mi;

	while (!done(st)) {
		ssize_t n = rmcast_recv(st->fd, st->buf, RMCAST_MSG_MAX,
					MSG_DONTWAIT, &mi);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return 0;
			if (errno == ENODATA) {
				/* In order: a hole; its record is queued. */
				drain_losses(st);
				continue;
			}
			fprintf(stderr, "rmcast-recv: recvmsg: %s\n",
				strerror(errno));
			if (errno == ECONNRESET)
				st->c.reset = 1;
			else
				st->c.fatal = 1;
			return -1;
		}
		if (handle_msg(st, (size_t)n, &mi))
			return -1;
		if (st->o->sleep_after && !st->slept &&
		    st->c.msgs >= st->o->sleep_after) {
			st->slept = 1;
			sleep_ms(st->o->sleep_ms);
		}
	}
	return -1;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Poll timeout until -t expires (-1: none); 0 means expired. */
static int poll_timeout(const struct recv_state *st, int64_t last)
{
	int64_t left;

	if (!st->o->timeout_ms)
		return -1;
	left = last + st->o->timeout_ms - now_ms();
	return left > 0 ? (int)left : 0;
}

/* The main loop; returns when done, timed out or interrupted. */
static void run(struct recv_state *st)
{
	int64_t last = now_ms();

	while (!done(st)) {
		struct pollfd p[2] = {
			{ .fd = st->fd, .events = POLLIN },
			{ .fd = st->sig_fd, .events = POLLIN },
		};
		uint64_t before = st->c.msgs;
		int tmo = poll_timeout(st, last), r;

		if (tmo == 0)
			break;
		r = poll(p, 2, tmo);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "rmcast-recv: poll: %s\n",
				strerror(errno));
			st->c.fatal = 1;
			break;
		}
		if (p[1].revents)
			break;
		if (p[0].revents & POLLERR)
			drain_losses(st);
		if ((p[0].revents & (POLLIN | POLLERR | POLLHUP)) &&
		    recv_batch(st))
			break;
		if (st->c.msgs != before)
			last = now_ms();
		if (p[0].revents & POLLNVAL) {
			fprintf(stderr, "rmcast-recv: poll: POLLNVAL\n");
			st->c.fatal = 1;
		}
	}
	drain_losses(st);
}

/* ---- reporting --------------------------------------------------------- */

static void print_sources(const struct recv_state *st)
{
	char tsi[RMCAST_TSISTRLEN];
	size_t i;

	for (i = 0; i < st->nsrc; i++) {
		const struct source *s = &st->src[i];

		fprintf(st->summary, "recv-source: tsi=%s addr=%s seed=",
			rmcast_tsi_format(&s->tsi, tsi, sizeof(tsi)), s->addr);
		if (s->seed_known)
			fprintf(st->summary, "%u", s->seed);
		else
			fputc('-', st->summary);
		fprintf(st->summary, " msgs=%" PRIu64 " bytes=%" PRIu64
			" lost=%" PRIu64 " loss_records=%" PRIu64
			" hash=%016" PRIx64 "\n", s->msgs, s->bytes, s->lost,
			s->loss_records, s->hash);
	}
}

static void print_summary(const struct recv_state *st)
{
	const struct counters *c = &st->c;
	char tsi[RMCAST_TSISTRLEN];
	size_t i;

	fprintf(st->summary, "recv: msgs=%" PRIu64 " bytes=%" PRIu64
		" sources=%zu dup=%" PRIu64 " order_err=%" PRIu64
		" corrupt=%" PRIu64 " lost=%" PRIu64 " gap_err=%" PRIu64
		" src_err=%" PRIu64 " trunc=%" PRIu64 " unverified=%" PRIu64
		" loss_records=%" PRIu64 " lost_sqns=%" PRIu64 " reset=%d",
		c->msgs, c->bytes, st->nsrc, c->dup, c->order_err, c->corrupt,
		c->lost, c->gap_err, c->src_err, c->trunc, c->unverified,
		c->loss_records, c->lost_sqns, c->reset);
	for (i = 0; st->o->hash && i < st->nsrc; i++)
		fprintf(st->summary, " hash=%s:%016" PRIx64,
			rmcast_tsi_format(&st->src[i].tsi, tsi, sizeof(tsi)),
			st->src[i].hash);
	fputc('\n', st->summary);
}

static void print_stats(const struct recv_state *st)
{
	struct rmcast_stats s;
	int chosen;

	if (rmcast_get_stats(st->fd, &s)) {
		fprintf(stderr, "rmcast-recv: getsockopt(RMCAST_STATS): %s\n",
			strerror(errno));
		return;
	}
	rmcast_print_stats(st->summary, "stats: ", &s);
	if (!rmcast_getopt_int(st->fd, RMCAST_RCVBUF_CHOSEN, &chosen))
		fprintf(st->summary, "stats: rcvbuf_chosen %d\n", chosen);
}

/* Sources that only sent loss records don't count as sources seen. */
static size_t sources_with_data(const struct recv_state *st)
{
	size_t i, n = 0;

	for (i = 0; i < st->nsrc; i++)
		n += st->src[i].msgs != 0;
	return n;
}

static int passed(const struct recv_state *st)
{
	const struct counters *c = &st->c;
	const struct recv_opts *o = st->o;
	int ok = !c->fatal && !c->reset && !c->trunc;

	if (o->count && c->msgs < o->count) {
		fprintf(stderr, "rmcast-recv: got %" PRIu64 " of %" PRIu64
			" messages\n", c->msgs, o->count);
		ok = 0;
	}
	if (o->expect_sources >= 0 &&
	    sources_with_data(st) != (size_t)o->expect_sources) {
		fprintf(stderr, "rmcast-recv: %zu sources, expected %ld\n",
			sources_with_data(st), o->expect_sources);
		ok = 0;
	}
	if (o->verify && (c->dup || c->order_err || c->corrupt ||
			  c->gap_err || c->src_err))
		ok = 0;
	return ok;
}

static void cleanup(struct recv_state *st)
{
	size_t i;

	for (i = 0; i < st->nsrc; i++) {
		free(st->src[i].seen);
		free(st->src[i].pending);
	}
	free(st->src);
	free(st->buf);
	free(st->scratch);
	if (st->out && st->out != stdout && fclose(st->out)) {
		fprintf(stderr, "rmcast-recv: close %s: %s\n", st->o->outfile,
			strerror(errno));
		st->c.fatal = 1;
	}
	if (st->fd >= 0 && close(st->fd)) {
		fprintf(stderr, "rmcast-recv: close: %s\n", strerror(errno));
		st->c.fatal = 1;
	}
	if (st->sig_fd >= 0)
		close(st->sig_fd);
}

int main(int argc, char **argv)
{
	struct recv_opts o;
	struct recv_state st = { .o = &o, .fd = -1, .sig_fd = -1 };
	int ok;

	parse_args(argc, argv, &o);
	st.buf = malloc(RMCAST_MSG_MAX);
	st.scratch = malloc(RMCAST_MSG_MAX);
	if (!st.buf || !st.scratch) {
		fprintf(stderr, "rmcast-recv: malloc: %s\n", strerror(errno));
		return 1;
	}
	if (open_output(&st))
		return 1;
	st.sig_fd = open_signalfd();
	st.fd = open_socket(&o);
	if (st.sig_fd < 0 || st.fd < 0) {
		cleanup(&st);
		return 1;
	}
	run(&st);
	if (o.verify && o.arrival)
		final_holes(&st);
	if (o.stats)
		print_stats(&st);
	if (o.verify || o.hash)
		print_sources(&st);
	if (st.out)
		fflush(st.out);
	ok = passed(&st);
	print_summary(&st);
	cleanup(&st);
	return ok && !st.c.fatal ? 0 : 1;
}
