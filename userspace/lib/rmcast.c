// SPDX-License-Identifier: GPL-2.0
/*
 * librmcast: helpers for AF_RMCAST sockets.  See rmcast.h.
 */
#include "rmcast.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <linux/errqueue.h>

/* ---- family and socket ------------------------------------------------ */

int rmcast_family(void)
{
	char buf[32];
	ssize_t n;
	long v;
	char *end;
	int fd;

	fd = open(RMCAST_FAMILY_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			errno = EAFNOSUPPORT;	/* module not loaded */
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	buf[n] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n') || v <= 0 ||
	    v > 255) {
		errno = EPROTO;
		return -1;
	}
	return (int)v;
}

int rmcast_socket(int flags)
{
	int fam;

	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) {
		errno = EINVAL;
		return -1;
	}
	fam = rmcast_family();
	if (fam < 0)
		return -1;
	return socket(fam, SOCK_RDM | flags, 0);
}

/* ---- address parsing and formatting ----------------------------------- */

static int parse_port(const char *s, size_t n, uint16_t *port)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 5)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* "eth0" or a decimal ifindex; 0 on success, -1 with errno. */
static int parse_ifname(const char *s, uint32_t *ifindex)
{
	unsigned int idx;
	size_t i, n = strlen(s);

	if (n == 0 || n >= IF_NAMESIZE) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < n && isdigit((unsigned char)s[i]); i++)
		;
	if (i == n) {
		unsigned long v = strtoul(s, NULL, 10);

		if (v == 0 || v > UINT32_MAX) {
			errno = EINVAL;
			return -1;
		}
		*ifindex = (uint32_t)v;
		return 0;
	}
	idx = if_nametoindex(s);
	if (idx == 0) {
		errno = ENODEV;
		return -1;
	}
	*ifindex = idx;
	return 0;
}

/* Split s into host, port text and interface text (in scratch copy). */
static int split_addr(char *s, char **host, char **port, char **ifname)
{
	char *p;

	*ifname = NULL;
	p = strchr(s, '%');
	if (p) {
		*p = '\0';
		*ifname = p + 1;
	}
	if (s[0] == '[') {
		p = strchr(s, ']');
		if (!p || p[1] != ':')
			return -1;
		*p = '\0';
		*host = s + 1;
		*port = p + 2;
		return 0;
	}
	p = strchr(s, ':');
	if (!p || strchr(p + 1, ':'))
		return -1;	/* IPv6 needs brackets */
	*p = '\0';
	*host = s;
	*port = p + 1;
	return 0;
}

int rmcast_addr_parse(const char *s, struct sockaddr_rmcast *out)
{
	char tmp[INET6_ADDRSTRLEN + IF_NAMESIZE + 16];
	char *host, *port, *ifname;
	uint16_t portnum;
	int fam;

	memset(out, 0, sizeof(*out));
	if (!s || strlen(s) >= sizeof(tmp)) {
		errno = EINVAL;
		return -1;
	}
	strcpy(tmp, s);
	if (split_addr(tmp, &host, &port, &ifname) ||
	    parse_port(port, strlen(port), &portnum)) {
		errno = EINVAL;
		return -1;
	}
	if (inet_pton(AF_INET, host, &out->srm_addr4) == 1) {
		if (s[0] == '[') {
			errno = EINVAL;
			return -1;
		}
		out->srm_addr_family = AF_INET;
	} else if (s[0] == '[' &&
		   inet_pton(AF_INET6, host, out->srm_addr6) == 1) {
		out->srm_addr_family = AF_INET6;
	} else {
		errno = EINVAL;
		return -1;
	}
	out->srm_port = htons(portnum);
	if (ifname && parse_ifname(ifname, &out->srm_ifindex))
		return -1;
	fam = rmcast_family();
	if (fam < 0)
		return -1;
	out->srm_family = (__kernel_sa_family_t)fam;
	return 0;
}

int rmcast_tsi_is_zero(const struct rmcast_tsi *tsi)
{
	static const struct rmcast_tsi zero;

	return memcmp(tsi, &zero, sizeof(zero)) == 0;
}

char *rmcast_tsi_format(const struct rmcast_tsi *tsi, char *buf, size_t len)
{
	snprintf(buf, len, "%02x%02x%02x%02x%02x%02x.%u",
		 tsi->gsi[0], tsi->gsi[1], tsi->gsi[2], tsi->gsi[3],
		 tsi->gsi[4], tsi->gsi[5], ntohs(tsi->sport));
	return buf;
}

char *rmcast_addr_format(const struct sockaddr_rmcast *a, char *buf,
			 size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";
	char tsi[RMCAST_TSISTRLEN] = "";
	char ifn[IF_NAMESIZE + 12] = "";
	int v6 = a->srm_addr_family == AF_INET6;

	if (v6)
		inet_ntop(AF_INET6, a->srm_addr6, host, sizeof(host));
	else if (a->srm_addr_family == AF_INET)
		inet_ntop(AF_INET, &a->srm_addr4, host, sizeof(host));
	if (!rmcast_tsi_is_zero(&a->srm_tsi)) {
		rmcast_tsi_format(&a->srm_tsi, tsi, sizeof(tsi) - 1);
		strcat(tsi, "@");
	}
	if (a->srm_ifindex) {
		char name[IF_NAMESIZE];

		if (if_indextoname(a->srm_ifindex, name))
			snprintf(ifn, sizeof(ifn), "%%%s", name);
		else
			snprintf(ifn, sizeof(ifn), "%%%u", a->srm_ifindex);
	}
	snprintf(buf, len, "%s%s%s%s:%u%s", tsi, v6 ? "[" : "", host,
		 v6 ? "]" : "", ntohs(a->srm_port), ifn);
	return buf;
}

/* ---- socket options ----------------------------------------------------- */

int rmcast_setopt_int(int fd, int optname, int val)
{
	return setsockopt(fd, SOL_RMCAST, optname, &val, sizeof(val));
}

int rmcast_set_udp_ports(int fd, const char *spec)
{
	struct rmcast_udp_ports p;
	unsigned long m, u;
	char *end;

	errno = 0;
	m = strtoul(spec, &end, 10);
	if (errno || end == spec || *end != ':' || !m || m > 65535)
		goto bad;
	spec = end + 1;
	u = strtoul(spec, &end, 10);
	if (errno || end == spec || *end || !u || u > 65535)
		goto bad;
	p.mcast = (uint16_t)m;
	p.ucast = (uint16_t)u;
	return setsockopt(fd, SOL_RMCAST, RMCAST_UDP_PORTS, &p, sizeof(p));
bad:
	errno = EINVAL;
	return -1;
}

int rmcast_getopt_int(int fd, int optname, int *val)
{
	socklen_t len = sizeof(*val);

	if (getsockopt(fd, SOL_RMCAST, optname, val, &len))
		return -1;
	if (len != sizeof(*val)) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

struct optname {
	const char	*name;
	int		opt;
};

static const struct optname int_opts[] = {
	{ "transport",		RMCAST_TRANSPORT },
	{ "txw_bytes",		RMCAST_TXW_BYTES },
	{ "txw_msecs",		RMCAST_TXW_MSECS },
	{ "spm_ambient_msecs",	RMCAST_SPM_AMBIENT_MSECS },
	{ "spm_heartbeat_msecs", RMCAST_SPM_HEARTBEAT_MSECS },
	{ "nak_bo_ivl_msecs",	RMCAST_NAK_BO_IVL_MSECS },
	{ "nak_rpt_ivl_msecs",	RMCAST_NAK_RPT_IVL_MSECS },
	{ "nak_rdata_ivl_msecs", RMCAST_NAK_RDATA_IVL_MSECS },
	{ "nak_ncf_retries",	RMCAST_NAK_NCF_RETRIES },
	{ "nak_data_retries",	RMCAST_NAK_DATA_RETRIES },
	{ "max_tpdu",		RMCAST_MAX_TPDU },
	{ "delivery",		RMCAST_DELIVERY },
	{ "recovery_msecs",	RMCAST_RECOVERY_MSECS },
	{ "loss_fatal",		RMCAST_LOSS_FATAL },
	{ "odata_rate",		RMCAST_ODATA_RATE },
	{ "rdata_rate",		RMCAST_RDATA_RATE },
	{ "rdata_share",	RMCAST_RDATA_SHARE },
	{ "ttl",		RMCAST_TTL },
	{ "loop",		RMCAST_LOOP },
	{ "rcvbuf_msecs",	RMCAST_RCVBUF_MSECS },
	{ "nak_ignore_msecs",	RMCAST_NAK_IGNORE_MSECS },
	{ "rcvbuf_chosen",	RMCAST_RCVBUF_CHOSEN },
};

int rmcast_optname_lookup(const char *name)
{
	size_t i;

	if (strncasecmp(name, "RMCAST_", 7) == 0)
		name += 7;
	for (i = 0; i < sizeof(int_opts) / sizeof(int_opts[0]); i++)
		if (strcasecmp(name, int_opts[i].name) == 0)
			return int_opts[i].opt;
	errno = ENOENT;
	return -1;
}

int rmcast_get_stats(int fd, struct rmcast_stats *st)
{
	socklen_t len = sizeof(*st);

	memset(st, 0, sizeof(*st));
	return getsockopt(fd, SOL_RMCAST, RMCAST_STATS, st, &len);
}

#define STAT(f)	{ #f, offsetof(struct rmcast_stats, f) }
static const struct {
	const char	*name;
	size_t		off;
} stat_fields[] = {
	STAT(odata_sent), STAT(odata_bytes_sent), STAT(rdata_sent),
	STAT(spm_sent), STAT(ncf_sent), STAT(nak_received),
	STAT(nak_no_repair), STAT(nak_ignored), STAT(nak_rate_dropped),
	STAT(msgs_received), STAT(bytes_received), STAT(odata_received),
	STAT(rdata_received), STAT(spm_received), STAT(ncf_received),
	STAT(nak_sent), STAT(nak_suppressed), STAT(duplicates),
	STAT(malformed), STAT(rcvbuf_dropped), STAT(lost_sqns),
	STAT(sources), STAT(odata_wire_bytes), STAT(rdata_wire_bytes),
	STAT(rate_waits),
};
#undef STAT

int rmcast_print_stats(FILE *stream, const char *prefix,
		       const struct rmcast_stats *st)
{
	size_t i;

	for (i = 0; i < sizeof(stat_fields) / sizeof(stat_fields[0]); i++) {
		__u64 v;

		memcpy(&v, (const char *)st + stat_fields[i].off, sizeof(v));
		if (fprintf(stream, "%s%s %llu\n", prefix, stat_fields[i].name,
			    (unsigned long long)v) < 0)
			return -1;
	}
	return 0;
}

/* ---- receiving -------------------------------------------------------- */

ssize_t rmcast_recv(int fd, void *buf, size_t len, int flags,
		    struct rmcast_msginfo *info)
{
	union {
		char		buf[256];
		struct cmsghdr	align;
	} ctl;
	struct sockaddr_rmcast src;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = &src, .msg_namelen = sizeof(src),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c;
	ssize_t n;

	memset(&src, 0, sizeof(src));
	n = recvmsg(fd, &msg, flags);
	if (n < 0 || !info)
		return n;
	memset(info, 0, sizeof(*info));
	info->src = src;
	info->truncated = !!(msg.msg_flags & MSG_TRUNC);
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_RMCAST &&
		    c->cmsg_type == RMCAST_CMSG_SEQ &&
		    c->cmsg_len >= CMSG_LEN(sizeof(uint32_t))) {
			memcpy(&info->seq, CMSG_DATA(c), sizeof(uint32_t));
			info->has_seq = 1;
		}
	}
	return n;
}

uint64_t rmcast_loss_count(const struct rmcast_loss *l)
{
	return (uint64_t)(uint32_t)(l->last - l->first) + 1;
}

int rmcast_read_loss(int fd, struct rmcast_loss *out)
{
	struct rec {
		struct sock_extended_err	ee;
		struct rmcast_tsi		tsi;
	} rec;
	union {
		char		buf[CMSG_SPACE(sizeof(struct rec)) + 64];
		struct cmsghdr	align;
	} ctl;
	char data[16];
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c;

	if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
		return -1;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_RMCAST ||
		    c->cmsg_type != RMCAST_CMSG_LOSS ||
		    c->cmsg_len < CMSG_LEN(sizeof(rec)))
			continue;
		memcpy(&rec, CMSG_DATA(c), sizeof(rec));
		if (rec.ee.ee_origin != SO_EE_ORIGIN_RMCAST)
			break;
		memset(out, 0, sizeof(*out));
		out->tsi = rec.tsi;
		out->cause = rec.ee.ee_code;
		out->first = rec.ee.ee_info;
		out->last = rec.ee.ee_data;
		return 0;
	}
	errno = EPROTO;
	return -1;
}

const char *rmcast_loss_cause_name(int cause)
{
	switch (cause) {
	case RMCAST_LOSS_WINDOW:
		return "window";
	case RMCAST_LOSS_RETRIES:
		return "retries";
	case RMCAST_LOSS_DEADLINE:
		return "deadline";
	default:
		return "unknown";
	}
}
