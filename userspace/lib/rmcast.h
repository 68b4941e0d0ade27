/* SPDX-License-Identifier: GPL-2.0 */
/*
 * librmcast: small helper library for AF_RMCAST sockets.
 *
 * Every function returns -1 (or NULL) with errno set on failure and never
 * prints anything: reporting is the caller's business.
 */
#ifndef RMCAST_LIB_H
#define RMCAST_LIB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <linux/rmcast.h>

/*
 * The address family the loaded module registered, read from
 * RMCAST_FAMILY_PATH.  Module not loaded: -1, errno EAFNOSUPPORT.
 * Unparsable file contents: -1, errno EPROTO.
 */
int rmcast_family(void);

/*
 * socket(rmcast_family(), SOCK_RDM, 0).  flags may contain SOCK_NONBLOCK
 * and SOCK_CLOEXEC; anything else: EINVAL.
 */
int rmcast_socket(int flags);

/*
 * Parse "GROUP:PORT[%IFNAME]" into *out (zeroed first, srm_family filled
 * from rmcast_family()).  IPv4: "239.1.2.3:7500%eth0"; IPv6 needs
 * brackets: "[ff15::1]:7500%veth0".  IFNAME may also be a decimal
 * ifindex.  Errors: EINVAL (syntax, port 0 or > 65535), ENODEV (unknown
 * interface), or rmcast_family()'s errno.  The group is not checked for
 * being multicast: the kernel does that.
 */
int rmcast_addr_parse(const char *s, struct sockaddr_rmcast *out);

/* Large enough for any rmcast_addr_format() / rmcast_tsi_format() result. */
#define RMCAST_ADDRSTRLEN	128
#define RMCAST_TSISTRLEN	24

/*
 * "0a1b2c3d4e5f.41234": the GSI as 12 hex digits, a dot, the source port
 * in decimal (host order).  Returns buf; truncates silently if len is
 * short (use RMCAST_TSISTRLEN).
 */
char *rmcast_tsi_format(const struct rmcast_tsi *tsi, char *buf, size_t len);

/*
 * "239.1.2.3:7500%eth0", "[ff15::1]:7500": the inverse of
 * rmcast_addr_parse().  If srm_tsi is non-zero (a source address from
 * recvmsg()), it is prefixed as "TSI@": "0a1b2c3d4e5f.41234@10.0.0.1:7500".
 * An ifindex without a name is printed as a number.  Returns buf.
 */
char *rmcast_addr_format(const struct sockaddr_rmcast *a, char *buf,
			 size_t len);

/* 1 if the TSI is all zero bytes. */
int rmcast_tsi_is_zero(const struct rmcast_tsi *tsi);

/* setsockopt()/getsockopt() at SOL_RMCAST with an int value. */
int rmcast_setopt_int(int fd, int optname, int val);
int rmcast_getopt_int(int fd, int optname, int *val);

/*
 * RMCAST_UDP_PORTS from "MCAST:UCAST" (decimal, 1..65535 each); before
 * bind()/connect().  0, or -1 with errno (EINVAL for a bad spec).
 */
int rmcast_set_udp_ports(int fd, const char *spec);

/*
 * Socket option number for a name such as "txw_msecs" or "RMCAST_TTL"
 * (case-insensitive, prefix optional); -1 with errno ENOENT if unknown.
 * Used by the tools' --opt NAME=VALUE.
 */
int rmcast_optname_lookup(const char *name);

/* getsockopt(RMCAST_STATS); fields the kernel does not know stay zero. */
int rmcast_get_stats(int fd, struct rmcast_stats *st);

/*
 * Print every field of *st as "name value" lines, each prefixed by
 * prefix.  Returns 0, or -1 with errno from the stream.
 */
int rmcast_print_stats(FILE *stream, const char *prefix,
		       const struct rmcast_stats *st);

/* What rmcast_recv() learned about a message besides its bytes. */
struct rmcast_msginfo {
	struct sockaddr_rmcast	src;	/* source address + TSI (msg_name) */
	int			has_seq;	/* RMCAST_CMSG_SEQ was present */
	uint32_t		seq;	/* sqn of the message's first TPDU */
	int			truncated;	/* MSG_TRUNC: buf was too short */
};

/*
 * recvmsg() one message into buf.  flags are passed to recvmsg()
 * (MSG_DONTWAIT, MSG_PEEK, MSG_TRUNC...).  Returns what recvmsg()
 * returns; info may be NULL.
 */
ssize_t rmcast_recv(int fd, void *buf, size_t len, int flags,
		    struct rmcast_msginfo *info);

/* One unrecoverable-loss record from the error queue. */
struct rmcast_loss {
	struct rmcast_tsi	tsi;	/* the source */
	int			cause;	/* RMCAST_LOSS_* (ee_code) */
	uint32_t		first;	/* first lost sqn */
	uint32_t		last;	/* last lost sqn, inclusive (mod 2^32) */
};

/* Number of sequence numbers a loss record covers (last - first + 1). */
uint64_t rmcast_loss_count(const struct rmcast_loss *l);

/*
 * Read one loss record with recvmsg(MSG_ERRQUEUE | MSG_DONTWAIT).
 * Returns 0 on success; -1 with errno EAGAIN if the error queue is empty,
 * EPROTO if the queued record is not an rmcast loss record (it is
 * consumed nevertheless), or recvmsg()'s errno.
 */
int rmcast_read_loss(int fd, struct rmcast_loss *out);

/* "window", "retries", "deadline" or "unknown". */
const char *rmcast_loss_cause_name(int cause);

#endif /* RMCAST_LIB_H */
