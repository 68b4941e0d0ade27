// SPDX-License-Identifier: GPL-2.0
/*
 * AF_RMCAST socket API error paths: socket(), bind()/connect()
 * validation and its order, getsockname()/getpeername(), socket options,
 * send()/recv() without an address, poll() and close().
 *
 * Needs rmcast.ko loaded.  Every failing call is checked for its exact
 * errno and for leaving the socket exactly as it was.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * The 6.12 harness is not -Wextra clean when included with -I rather than
 * -isystem: unused parameters in its own functions, and a setjmp()
 * "clobbered" false positive inside every TEST_F() wrapper (reported at
 * the expansion site, so that one stays off for the whole file; this file
 * uses no setjmp of its own).
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
#pragma GCC diagnostic ignored "-Wclobbered"
#include "rmcast.h"

#define PORT		7500
#define BAD_IFINDEX	99999
#define LO_IFINDEX	1

/* ---- helpers ----------------------------------------------------------- */

/* Set IFF_UP and IFF_MULTICAST on lo.  0 or -errno. */
static int lo_up(void)
{
	struct ifreq ifr;
	int fd, ret = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr)) {
		ret = -errno;
	} else if ((ifr.ifr_flags & (IFF_UP | IFF_MULTICAST)) !=
		   (IFF_UP | IFF_MULTICAST)) {
		ifr.ifr_flags |= IFF_UP | IFF_MULTICAST;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr))
			ret = -errno;
	}
	close(fd);
	return ret;
}

/* route add -net 224.0.0.0/4 dev lo.  0 (also if present) or -errno. */
static int mroute4(void)
{
	struct sockaddr_in *sin;
	struct rtentry rt;
	char dev[] = "lo";
	int fd, ret = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&rt, 0, sizeof(rt));
	sin = (struct sockaddr_in *)&rt.rt_dst;
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(0xe0000000);
	sin = (struct sockaddr_in *)&rt.rt_genmask;
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(0xf0000000);
	rt.rt_flags = RTF_UP;
	rt.rt_dev = dev;
	if (ioctl(fd, SIOCADDRT, &rt) && errno != EEXIST)
		ret = -errno;
	close(fd);
	return ret;
}

/* route -A inet6 add ff00::/8 dev lo.  0 (also if present) or -errno. */
static int mroute6(void)
{
	struct in6_rtmsg rt;
	int fd, ret = 0;

	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&rt, 0, sizeof(rt));
	rt.rtmsg_dst.s6_addr[0] = 0xff;
	rt.rtmsg_dst_len = 8;
	rt.rtmsg_flags = RTF_UP;
	rt.rtmsg_metric = 1;
	rt.rtmsg_ifindex = LO_IFINDEX;
	if (ioctl(fd, SIOCADDRT, &rt) && errno != EEXIST)
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * Each test runs in its own forked child: give it a private network
 * namespace (falling back to the current one if that is not possible)
 * with lo up and multicast routed to lo, so that groups with ifindex 0
 * can be joined without any other interface.  0 or -errno.
 */
static int net_setup(void)
{
	int ret;

	if (unshare(CLONE_NEWNET))
		ksft_print_msg("unshare(CLONE_NEWNET): %s; using this netns\n",
			       strerror(errno));
	ret = lo_up();
	if (!ret)
		ret = mroute4();
	if (!ret)
		ret = mroute6();
	return ret;
}

/* An address for bind()/connect(): IPv4 if ip has no ':', else IPv6. */
static struct sockaddr_rmcast mk(int fam, const char *ip, uint16_t port,
				 uint32_t ifindex)
{
	struct sockaddr_rmcast a;

	memset(&a, 0, sizeof(a));
	a.srm_family = (__kernel_sa_family_t)fam;
	a.srm_port = htons(port);
	a.srm_ifindex = ifindex;
	if (strchr(ip, ':')) {
		a.srm_addr_family = AF_INET6;
		inet_pton(AF_INET6, ip, a.srm_addr6);
	} else {
		a.srm_addr_family = AF_INET;
		inet_pton(AF_INET, ip, &a.srm_addr4);
	}
	return a;
}

/* bind() or connect(); returns 0 or errno. */
static int attach(int fd, int is_connect, const struct sockaddr_rmcast *a,
		  socklen_t len)
{
	int r = is_connect ? connect(fd, (const struct sockaddr *)a, len) :
			     bind(fd, (const struct sockaddr *)a, len);

	return r ? errno : 0;
}

static int attach_ok(int fd, int is_connect, const struct sockaddr_rmcast *a)
{
	return attach(fd, is_connect, a, sizeof(*a));
}

/* getsockname() (peer = 0) or getpeername() into *a; 0 or errno. */
static int name_of(int fd, int peer, struct sockaddr_rmcast *a,
		   socklen_t *len)
{
	int r;

	memset(a, 0xa5, sizeof(*a));
	*len = sizeof(*a);
	r = peer ? getpeername(fd, (struct sockaddr *)a, len) :
		   getsockname(fd, (struct sockaddr *)a, len);
	return r ? errno : 0;
}

/* The socket is neither bound nor connected: exact bytes. */
static void assert_pristine(struct __test_metadata *_metadata, int fd,
			    int fam)
{
	struct sockaddr_rmcast a, zero;
	socklen_t len;

	memset(&zero, 0, sizeof(zero));
	zero.srm_family = (__kernel_sa_family_t)fam;
	ASSERT_EQ(0, name_of(fd, 0, &a, &len));
	ASSERT_EQ(sizeof(a), len);
	ASSERT_EQ(0, memcmp(&a, &zero, sizeof(a)))
		TH_LOG("getsockname() of an unbound socket not zeroed");
	ASSERT_EQ(ENOTCONN, name_of(fd, 1, &a, &len));
}

/* getsockname() (peer = 0) / getpeername() returns exactly *want. */
static void assert_name(struct __test_metadata *_metadata, int fd, int peer,
			const struct sockaddr_rmcast *want)
{
	struct sockaddr_rmcast a;
	socklen_t len;

	ASSERT_EQ(0, name_of(fd, peer, &a, &len));
	ASSERT_EQ(sizeof(a), len);
	ASSERT_EQ(0, memcmp(&a, want, sizeof(a)))
		TH_LOG("%s differs from the address given",
		       peer ? "getpeername()" : "getsockname()");
}

/*
 * Expect bind()/connect() of *a (length len) to fail with err and to leave
 * the never-attached socket untouched.
 */
static void expect_refused(struct __test_metadata *_metadata, int fd,
			   int fam, int is_connect,
			   const struct sockaddr_rmcast *a, socklen_t len,
			   int err)
{
	char buf[RMCAST_ADDRSTRLEN];

	EXPECT_EQ(err, attach(fd, is_connect, a, len))
		TH_LOG("%s(%s, len %u)", is_connect ? "connect" : "bind",
		       rmcast_addr_format(a, buf, sizeof(buf)), len);
	assert_pristine(_metadata, fd, fam);
}

/* A fresh socket in a fresh network namespace. */
FIXTURE(opt)
{
	int	fam;
	int	fd;
};

FIXTURE_SETUP(opt)
{
	(void)variant;
	ASSERT_EQ(0, net_setup());
	self->fam = rmcast_family();
	ASSERT_LT(0, self->fam) TH_LOG("rmcast_family(): %s", strerror(errno));
	self->fd = socket(self->fam, SOCK_RDM, 0);
	ASSERT_LE(0, self->fd) TH_LOG("socket: %s", strerror(errno));
}

FIXTURE_TEARDOWN(opt)
{
	(void)variant;
	EXPECT_EQ(0, close(self->fd));
}

/* ---- socket() ------------------------------------------------------------ */

TEST_F(opt, socket_types)
{
	int fam = self->fam, fd;
	static const int bad_types[] = {
		SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_RAW, SOCK_PACKET,
	};
	static const int bad_protos[] = { 1, 6, 17, 112, 114, 255 };
	socklen_t len = sizeof(int);
	size_t i;
	int v;

	ASSERT_LT(0, fam) TH_LOG("rmcast_family(): %s", strerror(errno));
	fd = socket(fam, SOCK_RDM, 0);
	ASSERT_LE(0, fd) TH_LOG("socket(SOCK_RDM, 0): %s", strerror(errno));
	ASSERT_EQ(0, getsockopt(fd, SOL_RMCAST, RMCAST_TRANSPORT, &v, &len));
	EXPECT_EQ(RMCAST_TRANSPORT_UDP, v);
	ASSERT_EQ(0, close(fd));
	/* protocol 113 selects PGM directly in IP */
	fd = socket(fam, SOCK_RDM, RMCAST_IPPROTO_PGM);
	ASSERT_LE(0, fd) TH_LOG("socket(SOCK_RDM, 113): %s", strerror(errno));
	len = sizeof(v);
	ASSERT_EQ(0, getsockopt(fd, SOL_RMCAST, RMCAST_TRANSPORT, &v, &len));
	EXPECT_EQ(RMCAST_TRANSPORT_IP, v);
	ASSERT_EQ(0, close(fd));
	for (i = 0; i < ARRAY_SIZE(bad_types); i++) {
		EXPECT_EQ(-1, socket(fam, bad_types[i], 0));
		EXPECT_EQ(ESOCKTNOSUPPORT, errno)
			TH_LOG("type %d", bad_types[i]);
	}
	for (i = 0; i < ARRAY_SIZE(bad_protos); i++) {
		EXPECT_EQ(-1, socket(fam, SOCK_RDM, bad_protos[i]));
		EXPECT_EQ(EPROTONOSUPPORT, errno)
			TH_LOG("protocol %d", bad_protos[i]);
	}
}

TEST_F(opt, socket_flags)
{
	int fd = rmcast_socket(SOCK_NONBLOCK | SOCK_CLOEXEC);
	int fl, type;
	socklen_t len = sizeof(type);

	ASSERT_LE(0, fd) TH_LOG("rmcast_socket(): %s", strerror(errno));
	fl = fcntl(fd, F_GETFL);
	ASSERT_LE(0, fl);
	EXPECT_TRUE(fl & O_NONBLOCK);
	fl = fcntl(fd, F_GETFD);
	ASSERT_LE(0, fl);
	EXPECT_TRUE(fl & FD_CLOEXEC);
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len));
	EXPECT_EQ(SOCK_RDM, type);
	len = sizeof(type);
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &type, &len));
	EXPECT_EQ(rmcast_family(), type);
	EXPECT_EQ(0, close(fd));
}

/* ---- bind() / connect() validation --------------------------------------- */

FIXTURE(attach)
{
	int	fam;
	int	fd;
};

FIXTURE_VARIANT(attach)
{
	int	is_connect;
};

FIXTURE_VARIANT_ADD(attach, bind)
{
	.is_connect = 0,
};

FIXTURE_VARIANT_ADD(attach, connect)
{
	.is_connect = 1,
};

FIXTURE_SETUP(attach)
{
	(void)variant;
	ASSERT_EQ(0, net_setup());
	self->fam = rmcast_family();
	ASSERT_LT(0, self->fam) TH_LOG("rmcast_family(): %s", strerror(errno));
	self->fd = socket(self->fam, SOCK_RDM, 0);
	ASSERT_LE(0, self->fd) TH_LOG("socket: %s", strerror(errno));
	assert_pristine(_metadata, self->fd, self->fam);
}

FIXTURE_TEARDOWN(attach)
{
	(void)variant;
	if (self->fd >= 0)
		EXPECT_EQ(0, close(self->fd));
}

/* Refused with err, then nothing changed: shorthand for the tests below. */
#define REFUSED(addr, len, err)						\
	expect_refused(_metadata, self->fd, self->fam,			\
		       variant->is_connect, &(addr), (len), (err))

/* A valid call succeeds and shows in getsockname/getpeername. */
static void expect_attached(struct __test_metadata *_metadata, int fd,
			    int is_connect, const struct sockaddr_rmcast *a)
{
	char buf[RMCAST_ADDRSTRLEN];

	ASSERT_EQ(0, attach_ok(fd, is_connect, a))
		TH_LOG("%s(%s)", is_connect ? "connect" : "bind",
		       rmcast_addr_format(a, buf, sizeof(buf)));
	assert_name(_metadata, fd, is_connect, a);
}

TEST_F(attach, addrlen)
{
	struct sockaddr_rmcast a = mk(self->fam, "239.1.2.3", PORT, 0);
	struct sockaddr_rmcast bad = a;

	REFUSED(a, sizeof(a) - 1, EINVAL);
	REFUSED(a, sizeof(struct sockaddr), EINVAL);
	REFUSED(a, sizeof(sa_family_t), EINVAL);
	REFUSED(a, 0, EINVAL);
	/* length is checked before anything else */
	bad.srm_family = AF_INET;
	bad.srm_port = 0;
	REFUSED(bad, sizeof(bad) - 1, EINVAL);
	expect_attached(_metadata, self->fd, variant->is_connect, &a);
}

TEST_F(attach, family)
{
	struct sockaddr_rmcast a = mk(self->fam, "239.1.2.3", PORT, 0);
	struct sockaddr_rmcast bad = a;

	bad.srm_family = AF_INET;
	REFUSED(bad, sizeof(bad), EAFNOSUPPORT);
	bad.srm_family = AF_UNSPEC;
	REFUSED(bad, sizeof(bad), EAFNOSUPPORT);
	bad.srm_family = (__kernel_sa_family_t)(self->fam + 1);
	REFUSED(bad, sizeof(bad), EAFNOSUPPORT);
	/* before the EINVAL checks */
	bad.srm_reserved = 1;
	bad.srm_port = 0;
	REFUSED(bad, sizeof(bad), EAFNOSUPPORT);
	expect_attached(_metadata, self->fd, variant->is_connect, &a);
}

TEST_F(attach, addr_family)
{
	static const uint16_t fams[] = {
		AF_UNSPEC, AF_UNIX, AF_PACKET, AF_INET6 + 1, 0xffff,
	};
	struct sockaddr_rmcast a = mk(self->fam, "239.1.2.3", PORT, 0);
	struct sockaddr_rmcast bad = a;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fams); i++) {
		bad.srm_addr_family = fams[i];
		REFUSED(bad, sizeof(bad), EAFNOSUPPORT);
	}
	/* before the EINVAL and ENODEV checks */
	bad.srm_reserved = 1;
	bad.srm_tsi.sport = 1;
	bad.srm_port = 0;
	bad.srm_ifindex = BAD_IFINDEX;
	REFUSED(bad, sizeof(bad), EAFNOSUPPORT);
	expect_attached(_metadata, self->fd, variant->is_connect, &a);
}

TEST_F(attach, reserved_and_tsi)
{
	struct sockaddr_rmcast a = mk(self->fam, "239.1.2.3", PORT, 0);
	struct sockaddr_rmcast bad = a;

	bad.srm_reserved = 1;
	REFUSED(bad, sizeof(bad), EINVAL);
	bad.srm_reserved = 0x8000;
	REFUSED(bad, sizeof(bad), EINVAL);
	bad = a;
	bad.srm_tsi.gsi[0] = 1;
	REFUSED(bad, sizeof(bad), EINVAL);
	bad = a;
	bad.srm_tsi.gsi[5] = 0x80;
	REFUSED(bad, sizeof(bad), EINVAL);
	bad = a;
	bad.srm_tsi.sport = htons(1);
	REFUSED(bad, sizeof(bad), EINVAL);
	/* before ENODEV */
	bad.srm_ifindex = BAD_IFINDEX;
	REFUSED(bad, sizeof(bad), EINVAL);
	expect_attached(_metadata, self->fd, variant->is_connect, &a);
}

TEST_F(attach, port_zero)
{
	struct sockaddr_rmcast a = mk(self->fam, "239.1.2.3", PORT, 0);
	struct sockaddr_rmcast bad = mk(self->fam, "239.1.2.3", 0, 0);

	REFUSED(bad, sizeof(bad), EINVAL);
	bad = mk(self->fam, "ff15::1", 0, 0);
	REFUSED(bad, sizeof(bad), EINVAL);
	bad.srm_ifindex = BAD_IFINDEX;	/* before ENODEV */
	REFUSED(bad, sizeof(bad), EINVAL);
	expect_attached(_metadata, self->fd, variant->is_connect, &a);
}

TEST_F(attach, not_multicast)
{
	static const char *const bad_groups[] = {
		"10.0.0.1", "0.0.0.0", "127.0.0.1", "255.255.255.255",
		"223.255.255.255", "240.0.0.1",
		"::1", "::", "fe80::1", "2001:db8::1", "::ffff:239.1.2.3",
	};
	struct sockaddr_rmcast a = mk(self->fam, "ff15::1", PORT, 0);
	struct sockaddr_rmcast bad;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad_groups); i++) {
		bad = mk(self->fam, bad_groups[i], PORT, 0);
		REFUSED(bad, sizeof(bad), EINVAL);
	}
	bad = mk(self->fam, "10.0.0.1", PORT, BAD_IFINDEX); /* before ENODEV */
	REFUSED(bad, sizeof(bad), EINVAL);
	expect_attached(_metadata, self->fd, variant->is_connect, &a);
}

TEST_F(attach, link_local_v4)
{
	static const char *const bad_groups[] = {
		"224.0.0.0", "224.0.0.1", "224.0.0.22", "224.0.0.255",
	};
	struct sockaddr_rmcast a = mk(self->fam, "224.0.1.1", PORT, 0);
	struct sockaddr_rmcast bad;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad_groups); i++) {
		bad = mk(self->fam, bad_groups[i], PORT, 0);
		REFUSED(bad, sizeof(bad), EINVAL);
	}
	bad = mk(self->fam, "224.0.0.1", PORT, BAD_IFINDEX);
	REFUSED(bad, sizeof(bad), EINVAL);
	/* 224.0.1.0/24 and above are fine */
	expect_attached(_metadata, self->fd, variant->is_connect, &a);
}

TEST_F(attach, ifindex)
{
	struct sockaddr_rmcast a = mk(self->fam, "239.1.2.3", PORT, LO_IFINDEX);
	struct sockaddr_rmcast bad = mk(self->fam, "239.1.2.3", PORT,
					BAD_IFINDEX);

	REFUSED(bad, sizeof(bad), ENODEV);
	bad = mk(self->fam, "ff15::1", PORT, BAD_IFINDEX);
	REFUSED(bad, sizeof(bad), ENODEV);
	bad.srm_ifindex = 0xffffffffu;
	REFUSED(bad, sizeof(bad), ENODEV);
	expect_attached(_metadata, self->fd, variant->is_connect, &a);
}

TEST_F(attach, ipv6_group)
{
	struct sockaddr_rmcast a = mk(self->fam, "ff15::1:2", PORT, LO_IFINDEX);

	expect_attached(_metadata, self->fd, variant->is_connect, &a);
}

/* A second bind: EINVAL; a second connect: EISCONN; nothing changes. */
TEST_F(attach, twice)
{
	struct sockaddr_rmcast a = mk(self->fam, "239.1.2.3", PORT, 0);
	struct sockaddr_rmcast b = mk(self->fam, "239.1.2.4", PORT + 1, 0);
	struct sockaddr_rmcast bad = mk(self->fam, "10.0.0.1", 0, 0);
	int err = variant->is_connect ? EISCONN : EINVAL;

	expect_attached(_metadata, self->fd, variant->is_connect, &a);
	EXPECT_EQ(err, attach_ok(self->fd, variant->is_connect, &a));
	EXPECT_EQ(err, attach_ok(self->fd, variant->is_connect, &b));
	EXPECT_NE(0, attach_ok(self->fd, variant->is_connect, &bad));
	assert_name(_metadata, self->fd, variant->is_connect, &a);
}

/* Bound and connected at once, in either order. */
TEST_F(attach, bound_and_connected)
{
	struct sockaddr_rmcast a = mk(self->fam, "239.1.2.3", PORT, 0);
	struct sockaddr_rmcast b = mk(self->fam, "239.9.9.9", PORT + 2, 0);
	int first = variant->is_connect;

	expect_attached(_metadata, self->fd, first, &a);
	expect_attached(_metadata, self->fd, !first, &b);
	assert_name(_metadata, self->fd, first, &a);
}

/* A failed second-kind call on an attached socket changes nothing. */
TEST_F(attach, failed_other_keeps_state)
{
	struct sockaddr_rmcast a = mk(self->fam, "239.1.2.3", PORT, 0);
	struct sockaddr_rmcast bad = mk(self->fam, "239.1.2.3", PORT,
					BAD_IFINDEX);
	struct sockaddr_rmcast got;
	socklen_t len;
	int other = !variant->is_connect;

	expect_attached(_metadata, self->fd, variant->is_connect, &a);
	EXPECT_EQ(ENODEV, attach_ok(self->fd, other, &bad));
	assert_name(_metadata, self->fd, variant->is_connect, &a);
	if (other)
		EXPECT_EQ(ENOTCONN, name_of(self->fd, 1, &got, &len));
	bad.srm_ifindex = 0;
	expect_attached(_metadata, self->fd, other, &bad);
}

/* ---- socket options ------------------------------------------------------ */

static int setint(int fd, int level, int opt, int val, socklen_t len)
{
	return setsockopt(fd, level, opt, &val, len) ? errno : 0;
}

static int getint(int fd, int level, int opt, int *val, socklen_t *len)
{
	return getsockopt(fd, level, opt, val, len) ? errno : 0;
}

TEST_F(opt, bad_level)
{
	static const int levels[] = {
		SOL_IP, IPPROTO_TCP, IPPROTO_UDP, SOL_IPV6, SOL_RMCAST - 1,
		SOL_RMCAST + 1, 0x7fffffff,
	};
	socklen_t len;
	size_t i;
	int v;

	for (i = 0; i < ARRAY_SIZE(levels); i++) {
		EXPECT_EQ(ENOPROTOOPT, setint(self->fd, levels[i], RMCAST_TTL,
					      1, sizeof(int)))
			TH_LOG("set level %d", levels[i]);
		len = sizeof(v);
		EXPECT_EQ(ENOPROTOOPT, getint(self->fd, levels[i], RMCAST_TTL,
					      &v, &len))
			TH_LOG("get level %d", levels[i]);
	}
	/* SOL_SOCKET goes to the generic code */
	len = sizeof(v);
	EXPECT_EQ(0, getint(self->fd, SOL_SOCKET, SO_RCVBUF, &v, &len));
	EXPECT_EQ(0, setint(self->fd, SOL_SOCKET, SO_RCVBUF, 1 << 20,
			    sizeof(int)));
}

TEST_F(opt, unknown_name)
{
	static const int names[] = { 0, RMCAST_RDATA_SHARE + 1, 1000, -1 };
	socklen_t len;
	size_t i;
	int v;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		EXPECT_EQ(ENOPROTOOPT, setint(self->fd, SOL_RMCAST, names[i],
					      1, sizeof(int)))
			TH_LOG("set optname %d", names[i]);
		len = sizeof(v);
		EXPECT_EQ(ENOPROTOOPT, getint(self->fd, SOL_RMCAST, names[i],
					      &v, &len))
			TH_LOG("get optname %d", names[i]);
	}
}

TEST_F(opt, short_optlen_set)
{
	static const int names[] = {
		RMCAST_TRANSPORT, RMCAST_TXW_BYTES, RMCAST_TTL, RMCAST_LOOP,
		RMCAST_DELIVERY, RMCAST_LOSS_FATAL,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		EXPECT_EQ(EINVAL, setint(self->fd, SOL_RMCAST, names[i], 1,
					 sizeof(int) - 1))
			TH_LOG("optname %d", names[i]);
		EXPECT_EQ(EINVAL, setint(self->fd, SOL_RMCAST, names[i], 1, 0))
			TH_LOG("optname %d", names[i]);
	}
}

TEST_F(opt, short_optlen_get)
{
	socklen_t len = sizeof(int) - 1;
	int v = 0x5a5a5a5a;

	EXPECT_EQ(EINVAL, getint(self->fd, SOL_RMCAST, RMCAST_TTL, &v, &len));
	EXPECT_EQ(0x5a5a5a5a, v);
}

TEST_F(opt, transport)
{
	socklen_t len = sizeof(int);
	int v = -1;

	EXPECT_EQ(0, getint(self->fd, SOL_RMCAST, RMCAST_TRANSPORT, &v, &len));
	EXPECT_EQ(RMCAST_TRANSPORT_UDP, v);
	EXPECT_EQ(EINVAL, setint(self->fd, SOL_RMCAST, RMCAST_TRANSPORT, 2,
				 sizeof(int)));
	EXPECT_EQ(EINVAL, setint(self->fd, SOL_RMCAST, RMCAST_TRANSPORT, -1,
				 sizeof(int)));
	EXPECT_EQ(0, setint(self->fd, SOL_RMCAST, RMCAST_TRANSPORT,
			    RMCAST_TRANSPORT_IP, sizeof(int)));
	len = sizeof(int);
	EXPECT_EQ(0, getint(self->fd, SOL_RMCAST, RMCAST_TRANSPORT, &v, &len));
	EXPECT_EQ(RMCAST_TRANSPORT_IP, v);
	EXPECT_EQ(0, setint(self->fd, SOL_RMCAST, RMCAST_TRANSPORT,
			    RMCAST_TRANSPORT_UDP, sizeof(int)));
	len = sizeof(int);
	EXPECT_EQ(0, getint(self->fd, SOL_RMCAST, RMCAST_TRANSPORT, &v, &len));
	EXPECT_EQ(RMCAST_TRANSPORT_UDP, v);
}

static void transport_locked(struct __test_metadata *_metadata, int fd,
			     int is_connect, int fam)
{
	struct sockaddr_rmcast a = mk(fam, "239.1.2.3", PORT, 0);
	socklen_t len = sizeof(int);
	int v = -1;

	ASSERT_EQ(0, attach_ok(fd, is_connect, &a));
	EXPECT_EQ(EISCONN, setint(fd, SOL_RMCAST, RMCAST_TRANSPORT,
				  RMCAST_TRANSPORT_IP, sizeof(int)));
	EXPECT_EQ(EISCONN, setint(fd, SOL_RMCAST, RMCAST_TRANSPORT,
				  RMCAST_TRANSPORT_UDP, sizeof(int)));
	EXPECT_EQ(0, getint(fd, SOL_RMCAST, RMCAST_TRANSPORT, &v, &len));
	EXPECT_EQ(RMCAST_TRANSPORT_UDP, v);
}

TEST_F(opt, transport_after_bind)
{
	transport_locked(_metadata, self->fd, 0, self->fam);
}

TEST_F(opt, transport_after_connect)
{
	transport_locked(_metadata, self->fd, 1, self->fam);
}

TEST_F(opt, ttl)
{
	static const int bad[] = { -1, 256, 1000, -2147483647 - 1 };
	static const int good[] = { 0, 1, 64, 255 };
	socklen_t len;
	size_t i;
	int v;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		EXPECT_EQ(0, setint(self->fd, SOL_RMCAST, RMCAST_TTL, good[i],
				    sizeof(int)));
		len = sizeof(int);
		v = -1;
		EXPECT_EQ(0, getint(self->fd, SOL_RMCAST, RMCAST_TTL, &v,
				    &len));
		EXPECT_EQ(sizeof(int), len);
		EXPECT_EQ(good[i], v);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(EINVAL, setint(self->fd, SOL_RMCAST, RMCAST_TTL,
					 bad[i], sizeof(int)))
			TH_LOG("ttl %d", bad[i]);
		len = sizeof(int);
		EXPECT_EQ(0, getint(self->fd, SOL_RMCAST, RMCAST_TTL, &v,
				    &len));
		EXPECT_EQ(255, v) TH_LOG("refused ttl %d changed it", bad[i]);
	}
}

TEST_F(opt, stats_fresh)
{
	struct rmcast_stats st, zero;
	socklen_t len = sizeof(st);

	memset(&st, 0xa5, sizeof(st));
	memset(&zero, 0, sizeof(zero));
	ASSERT_EQ(0, getsockopt(self->fd, SOL_RMCAST, RMCAST_STATS, &st, &len))
		TH_LOG("RMCAST_STATS: %s", strerror(errno));
	EXPECT_EQ(sizeof(st), len);
	EXPECT_EQ(0, memcmp(&st, &zero, sizeof(st)));
}

TEST_F(opt, stats_truncated)
{
	unsigned char buf[sizeof(struct rmcast_stats)];
	socklen_t lens[] = { sizeof(int), 8, 12, sizeof(buf) - 1 };
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		socklen_t len = lens[i];

		memset(buf, 0xa5, sizeof(buf));
		ASSERT_EQ(0, getsockopt(self->fd, SOL_RMCAST, RMCAST_STATS,
					buf, &len))
			TH_LOG("optlen %u: %s", lens[i], strerror(errno));
		EXPECT_EQ(lens[i], len);
		for (j = 0; j < sizeof(buf); j++) {
			unsigned char want = j < lens[i] ? 0 : 0xa5;

			if (buf[j] != want) {
				TH_LOG("optlen %u: byte %zu is %#x", lens[i],
				       j, buf[j]);
				EXPECT_EQ(want, buf[j]);
				break;
			}
		}
	}
}

TEST_F(opt, local_tsi)
{
	unsigned char buf[sizeof(struct rmcast_tsi) + 8];
	socklen_t len = sizeof(buf);

	ASSERT_EQ((size_t)8, sizeof(struct rmcast_tsi));
	ASSERT_EQ(0, getsockopt(self->fd, SOL_RMCAST, RMCAST_LOCAL_TSI, buf,
				&len))
		TH_LOG("RMCAST_LOCAL_TSI: %s", strerror(errno));
	EXPECT_EQ(sizeof(struct rmcast_tsi), len);
	len = sizeof(struct rmcast_tsi);
	ASSERT_EQ(0, getsockopt(self->fd, SOL_RMCAST, RMCAST_LOCAL_TSI, buf,
				&len));
	EXPECT_EQ(sizeof(struct rmcast_tsi), len);
}

/* ---- send / recv / poll / close ------------------------------------------ */

TEST_F(opt, send_unconnected)
{
	struct sockaddr_rmcast a = mk(self->fam, "239.1.2.3", PORT, 0);
	char msg[16] = "x";

	EXPECT_EQ(-1, send(self->fd, msg, sizeof(msg), 0));
	EXPECT_EQ(EDESTADDRREQ, errno);
	EXPECT_EQ(-1, send(self->fd, msg, sizeof(msg), MSG_DONTWAIT));
	EXPECT_EQ(EDESTADDRREQ, errno);
	EXPECT_EQ(-1, sendto(self->fd, msg, sizeof(msg), 0,
			     (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(EDESTADDRREQ, errno);
	/* bound only is still unconnected */
	ASSERT_EQ(0, attach_ok(self->fd, 0, &a));
	EXPECT_EQ(-1, send(self->fd, msg, sizeof(msg), 0));
	EXPECT_EQ(EDESTADDRREQ, errno);
}

TEST_F(opt, sendto_connected)
{
	struct sockaddr_rmcast a = mk(self->fam, "239.1.2.3", PORT, LO_IFINDEX);
	char msg[16] = "x";

	ASSERT_EQ(0, attach_ok(self->fd, 1, &a));
	EXPECT_EQ(-1, sendto(self->fd, msg, sizeof(msg), 0,
			     (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(EISCONN, errno);
}

TEST_F(opt, send_too_big)
{
	struct sockaddr_rmcast a = mk(self->fam, "239.1.2.3", PORT, LO_IFINDEX);
	static char big[RMCAST_MSG_MAX + 4096];
	size_t sizes[] = { RMCAST_MSG_MAX + 1, sizeof(big) };
	size_t i;

	ASSERT_EQ(0, attach_ok(self->fd, 1, &a));
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		EXPECT_EQ(-1, send(self->fd, big, sizes[i], MSG_DONTWAIT));
		EXPECT_EQ(EMSGSIZE, errno) TH_LOG("size %zu", sizes[i]);
	}
}

TEST_F(opt, recv_unbound)
{
	struct sockaddr_rmcast a = mk(self->fam, "239.1.2.3", PORT, 0);
	char buf[64];

	EXPECT_EQ(-1, recv(self->fd, buf, sizeof(buf), 0));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, recv(self->fd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(ENOTCONN, errno);
	/* connected only is still unbound */
	ASSERT_EQ(0, attach_ok(self->fd, 1, &a));
	EXPECT_EQ(-1, recv(self->fd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(ENOTCONN, errno);
}

TEST_F(opt, recv_empty)
{
	struct sockaddr_rmcast a = mk(self->fam, "239.77.1.2", PORT + 7, 0);
	struct rmcast_msginfo mi;
	char buf[64];
	int fd;

	ASSERT_EQ(0, attach_ok(self->fd, 0, &a));
	EXPECT_EQ(-1, recv(self->fd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(-1, rmcast_recv(self->fd, buf, sizeof(buf), MSG_DONTWAIT,
				  &mi));
	EXPECT_EQ(EAGAIN, errno);
	/* the same on a non-blocking socket without MSG_DONTWAIT */
	fd = rmcast_socket(SOCK_NONBLOCK);
	ASSERT_LE(0, fd);
	a.srm_port = htons(PORT + 8);
	ASSERT_EQ(0, attach_ok(fd, 0, &a));
	EXPECT_EQ(-1, recv(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, close(fd));
}

TEST_F(opt, errqueue_empty)
{
	struct sockaddr_rmcast a = mk(self->fam, "239.77.1.3", PORT, 0);
	struct rmcast_loss l;

	ASSERT_EQ(0, attach_ok(self->fd, 0, &a));
	EXPECT_EQ(-1, rmcast_read_loss(self->fd, &l));
	EXPECT_EQ(EAGAIN, errno);
}

TEST_F(opt, poll_fresh)
{
	struct pollfd p = { .fd = self->fd, .events = POLLIN | POLLOUT };

	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_TRUE(p.revents & POLLOUT);
	EXPECT_FALSE(p.revents & POLLIN);
	EXPECT_FALSE(p.revents & (POLLERR | POLLHUP | POLLNVAL));
}

TEST_F(opt, poll_bound_idle)
{
	struct sockaddr_rmcast a = mk(self->fam, "239.77.1.4", PORT, 0);
	struct pollfd p = { .fd = self->fd, .events = POLLIN };

	ASSERT_EQ(0, attach_ok(self->fd, 0, &a));
	EXPECT_EQ(0, poll(&p, 1, 100));
	EXPECT_EQ(0, p.revents);
}

TEST_F(opt, close_attached)
{
	int fam = self->fam;
	struct sockaddr_rmcast a, b;
	int i, fd;

	a = mk(fam, "239.1.2.3", PORT, 0);
	b = mk(fam, "ff15::7", PORT, 0);
	/* bound, connected, both; IPv4 and IPv6; twice for leftovers */
	for (i = 0; i < 12; i++) {
		const struct sockaddr_rmcast *g = (i & 1) ? &b : &a;
		int mode = (i / 2) % 3;

		fd = socket(fam, SOCK_RDM, 0);
		ASSERT_LE(0, fd);
		if (mode != 1)
			ASSERT_EQ(0, attach_ok(fd, 0, g))
				TH_LOG("round %d bind: %s", i, strerror(errno));
		if (mode != 0)
			ASSERT_EQ(0, attach_ok(fd, 1, g))
				TH_LOG("round %d connect: %s", i,
				       strerror(errno));
		EXPECT_EQ(0, close(fd)) TH_LOG("round %d", i);
	}
}

TEST_HARNESS_MAIN
