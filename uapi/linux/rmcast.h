/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * rmcast: reliable multicast sockets (PGM, RFC 3208) -- user API.
 *
 * socket(AF_RMCAST, SOCK_RDM, 0); connect() to a group to send, bind() to
 * a group to receive.  AF_RMCAST is not a fixed number: the module takes a
 * free slot below AF_MAX (module parameter "family", default
 * RMCAST_FAMILY_DEFAULT) and publishes it in RMCAST_FAMILY_PATH.  Use the
 * userspace library (rmcast_family()) rather than the default constant.
 *
 * Units are uniform across socket options, sysctls and documentation:
 * times in milliseconds, sizes in bytes, rates in bytes per second
 * counted on the wire (IP header included).
 */
#ifndef _UAPI_LINUX_RMCAST_H
#define _UAPI_LINUX_RMCAST_H

#include <linux/types.h>
#include <linux/socket.h>

#define RMCAST_FAMILY_DEFAULT	18	/* historical AF_ASH slot, never used */
#define RMCAST_FAMILY_PATH	"/sys/module/rmcast/parameters/family"

#define SOL_RMCAST		313	/* setsockopt() level */

/* Default ports: OpenPGM's, so that interop needs no configuration. */
#define RMCAST_UDP_MCAST_PORT	3056	/* UDP encapsulation, multicast */
#define RMCAST_UDP_UCAST_PORT	3055	/* UDP encapsulation, unicast (NAKs) */
#define RMCAST_IPPROTO_PGM	113	/* native transport */

/* Largest message one send() may carry; larger: EMSGSIZE. */
#define RMCAST_MSG_MAX		65536

/* PGM transport session identifier: global source id + source port. */
struct rmcast_tsi {
	__u8	gsi[6];
	__be16	sport;
};

/*
 * Address of a session.  bind()/connect(): srm_addr_family is AF_INET or
 * AF_INET6 and srm_addr a multicast group; srm_port is the PGM
 * data-destination port (network order, non-zero); srm_ifindex an
 * interface (0: the routing table decides); srm_tsi and srm_reserved must
 * be zero.  recvmsg()'s msg_name: the source's unicast address (its NLA
 * from SPM, else the IP source), its TSI, and the port.
 */
struct sockaddr_rmcast {
	__kernel_sa_family_t	srm_family;	/* AF_RMCAST */
	__be16			srm_port;
	__u32			srm_ifindex;
	__u16			srm_addr_family;	/* AF_INET, AF_INET6 */
	__u16			srm_reserved;
	struct rmcast_tsi	srm_tsi;
	union {
		__be32		srm_addr4;
		__u8		srm_addr6[16];
	};
};

/* Socket options, level SOL_RMCAST.  All are int unless noted. */
enum {
	RMCAST_TRANSPORT = 1,	/* RMCAST_TRANSPORT_*; before bind/connect */
	RMCAST_UDP_PORTS,	/* struct rmcast_udp_ports; before bind/connect */
	RMCAST_TXW_BYTES,	/* retransmission window, bytes */
	RMCAST_TXW_MSECS,	/* retransmission window, age in ms */
	RMCAST_SPM_AMBIENT_MSECS,	/* ambient SPM interval */
	RMCAST_SPM_HEARTBEAT_MSECS,	/* first heartbeat SPM after data */
	RMCAST_NAK_BO_IVL_MSECS,	/* NAK random back-off upper bound */
	RMCAST_NAK_RPT_IVL_MSECS,	/* wait for NCF */
	RMCAST_NAK_RDATA_IVL_MSECS,	/* wait for RDATA after NCF */
	RMCAST_NAK_NCF_RETRIES,
	RMCAST_NAK_DATA_RETRIES,
	RMCAST_MAX_TPDU,	/* largest PGM packet incl. IP header; 0: MTU */
	RMCAST_DELIVERY,	/* RMCAST_DELIVER_* */
	RMCAST_RECOVERY_MSECS,	/* give up on a gap after this; 0: never */
	RMCAST_LOSS_FATAL,	/* bool: unrecoverable loss -> ECONNRESET */
	RMCAST_ODATA_RATE,	/* original data, bytes/s; 0: unlimited */
	RMCAST_RDATA_RATE,	/* repairs, bytes/s; 0: unlimited */
	RMCAST_TTL,		/* multicast TTL / hop limit, 0..255 */
	RMCAST_LOOP,		/* bool: multicast loopback */
	RMCAST_RCVBUF_MSECS,	/* receive budget as time; 0: off */
	RMCAST_NAK_IGNORE_MSECS,	/* source: ignore NAKs this soon after
					 * a repair of the same sequence
					 */
	RMCAST_STATS,		/* get: struct rmcast_stats */
	RMCAST_LOCAL_TSI,	/* get: struct rmcast_tsi of this socket */
	RMCAST_RCVBUF_CHOSEN,	/* get: receive buffer the kernel chose */
	RMCAST_RDATA_SHARE,	/* repairs: at most this % of the measured
				 * original-data rate while data flows;
				 * 0: only RMCAST_RDATA_RATE
				 */
};

enum {
	RMCAST_TRANSPORT_UDP = 0,	/* default */
	RMCAST_TRANSPORT_IP = 1,	/* IP protocol 113 */
};

enum {
	RMCAST_DELIVER_ORDERED = 0,	/* default */
	RMCAST_DELIVER_ARRIVAL = 1,
};

struct rmcast_udp_ports {
	__u16	mcast;	/* host order; default RMCAST_UDP_MCAST_PORT */
	__u16	ucast;	/* host order; default RMCAST_UDP_UCAST_PORT */
};

/* Control messages (cmsg_level SOL_RMCAST) attached by recvmsg(). */
enum {
	RMCAST_CMSG_SEQ = 1,	/* __u32: sequence number of the message's
				 * first TPDU
				 */
};

/*
 * Unrecoverable loss, read with recvmsg(MSG_ERRQUEUE): a struct
 * sock_extended_err with ee_origin SO_EE_ORIGIN_RMCAST, ee_errno
 * ENODATA, ee_code the cause, ee_info the first lost sequence number and
 * ee_data the last (inclusive, modulo 2^32), followed in the same cmsg
 * by the struct rmcast_tsi of the source.  cmsg_level SOL_RMCAST,
 * cmsg_type RMCAST_CMSG_LOSS.
 */
#define SO_EE_ORIGIN_RMCAST	7
enum {
	RMCAST_CMSG_LOSS = 2,
};

enum {
	RMCAST_LOSS_WINDOW = 1,		/* source's window moved past it */
	RMCAST_LOSS_RETRIES = 2,	/* NAK retries exhausted */
	RMCAST_LOSS_DEADLINE = 3,	/* recovery deadline expired */
};

/* Per-socket counters (RMCAST_STATS). Fields only ever get appended. */
struct rmcast_stats {
	__u64	odata_sent;
	__u64	odata_bytes_sent;
	__u64	rdata_sent;
	__u64	spm_sent;
	__u64	ncf_sent;
	__u64	nak_received;
	__u64	nak_no_repair;		/* NAK for data gone from window */
	__u64	nak_ignored;		/* NAK within the ignore interval */
	__u64	nak_rate_dropped;	/* repair budget exhausted */
	__u64	msgs_received;
	__u64	bytes_received;
	__u64	odata_received;
	__u64	rdata_received;
	__u64	spm_received;
	__u64	ncf_received;
	__u64	nak_sent;
	__u64	nak_suppressed;		/* cancelled by NCF or repair seen */
	__u64	duplicates;
	__u64	malformed;
	__u64	rcvbuf_dropped;		/* dropped for lack of receive buffer */
	__u64	lost_sqns;		/* sequence numbers reported lost */
	__u64	sources;		/* sources currently known */
	__u64	odata_wire_bytes;	/* ODATA bytes on the wire (IP on) */
	__u64	rdata_wire_bytes;	/* RDATA bytes on the wire (IP on) */
	__u64	rate_waits;		/* times a send found the odata_rate
					 * bucket empty (waited or EAGAIN)
					 */
};

#endif /* _UAPI_LINUX_RMCAST_H */
