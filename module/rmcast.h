/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rmcast internal declarations.  The design comment (locks, lifetimes,
 * who frees what) is at the top of rmcast_main.c.
 */
#ifndef _RMCAST_H
#define _RMCAST_H

#include <linux/in6.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/types.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include <linux/rmcast.h>
#include "rmcast_wire.h"

/* Kernel API differences, detected by Kbuild (see its comments). */
#ifndef RMCAST_HAVE_RANDOM_BELOW
#define get_random_u32_below(n)	prandom_u32_max(n)
#endif

extern int rmcast_family;

/* Module-wide object counters, shown in debugfs rmcast/objects. */
struct rmcast_objects {
	atomic_t	sockets;
	atomic_t	peers;
	atomic_t	skbs;		/* skbs held in windows and queues */
	atomic_t	transports;	/* kernel UDP sockets */
	atomic_t	memberships;
};

extern struct rmcast_objects rmcast_obj;

/* Tunables: sysctl defaults per namespace, copied into each socket. */
struct rmcast_cfg {
	int	txw_bytes;
	int	txw_msecs;
	int	spm_ambient_msecs;
	int	spm_heartbeat_msecs;
	int	nak_bo_ivl_msecs;
	int	nak_rpt_ivl_msecs;
	int	nak_rdata_ivl_msecs;
	int	nak_ncf_retries;
	int	nak_data_retries;
	int	nak_ignore_msecs;
	int	recovery_msecs;
	int	odata_rate;
	int	rdata_rate;
	int	rdata_share;
	int	rate_burst_msecs;
	int	ttl;
	int	loop;
	int	rmem;
	int	rcvbuf_msecs;
	int	rmem_min;
	int	rmem_max;
	int	max_peers;
	int	peer_expiry_msecs;
	int	allow_link_local_groups;
};

#define RMCAST_HASH_BITS	8

/* Per network namespace state. */
struct rmcast_net {
	struct net		*net;
	struct rmcast_cfg	cfg;
	struct ctl_table_header	*sysctl;
	u8			gsi[PGM_GSI_LEN];

	/* Protects transports, members and hash insert/remove. */
	struct mutex		lock;
	struct list_head	transports;	/* struct rmcast_udp */
	struct list_head	members;	/* struct rmcast_member */
	/* Unbound kernel UDP sockets: transmit context and group joins. */
	struct socket		*tx4[2];	/* [loop] */
	struct socket		*tx6[2];
	struct hlist_head	rx_hash[1 << RMCAST_HASH_BITS];	/* RCU */
	struct hlist_head	tx_hash[1 << RMCAST_HASH_BITS];	/* RCU */
	atomic_long_t		malformed;	/* packets failing parse */
};

struct rmcast_net *rmcast_pernet(const struct net *net);

/* An address: family + group or unicast address. */
struct rmcast_ip {
	u16	family;		/* AF_INET or AF_INET6 */
	union {
		__be32		v4;
		struct in6_addr	v6;
	};
};

static inline bool rmcast_ip_eq(const struct rmcast_ip *a,
				const struct rmcast_ip *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->v4 == b->v4;
	return ipv6_addr_equal(&a->v6, &b->v6);
}

/* Metadata of an skb held in a send window or a receive ring. */
struct rmcast_cb {
	u32		sqn;
	u32		frag_sqn;
	u32		frag_off;
	u32		frag_len;	/* 0: not a fragment */
	unsigned long	stamp;		/* jiffies sent / arrived */
	unsigned long	repaired;	/* tx: last RDATA (jiffies) */
	u32		psum;		/* tx: partial checksum of payload */
	u16		hdr_len;	/* tx: PGM header + options */
	u8		pending;	/* tx: on the repair queue */
};

/* Metadata of an skb on the socket's receive queue. */
struct rmcast_rxcb {
	struct rmcast_ip	src;
	struct rmcast_tsi	tsi;
	u32			sqn;	/* message; loss: first lost */
	u32			last;	/* loss: last lost */
	u8			kind;	/* RMCAST_CB_* */
	u8			cause;	/* loss: RMCAST_LOSS_* */
};

enum {
	RMCAST_CB_DATA = 0,
	RMCAST_CB_LOSS,
};

static inline struct rmcast_rxcb *rmcast_rxcb(const struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct rmcast_rxcb) > sizeof(skb->cb));
	return (struct rmcast_rxcb *)skb->cb;
}

static inline struct rmcast_cb *rmcast_cb(const struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct rmcast_cb) > sizeof(skb->cb));
	return (struct rmcast_cb *)skb->cb;
}

/* Sender: retransmission window, a ring indexed by sequence number. */
struct rmcast_txw {
	struct sk_buff	**ring;
	u32		mask;
	u32		trail;		/* oldest held */
	u32		next;		/* next to send; empty if trail==next */
	u32		bytes;		/* truesize held */
};

/* Token bucket, bytes per second, refilled on use. */
struct rmcast_bucket {
	s64		tokens;		/* may go negative: debt */
	u64		stamp;		/* ns */
	u32		rate;		/* 0: unlimited */
	u32		burst;
};

/* Receiver: per-sequence state of a peer's ring slot. */
enum {
	RXS_NONE = 0,	/* not tracked */
	RXS_BACKOFF,	/* missing; NAK after random back-off */
	RXS_WAIT_NCF,	/* NAK sent; waiting for NCF */
	RXS_WAIT_DATA,	/* NCF seen; waiting for RDATA */
	RXS_HAVE,	/* data held */
	RXS_LOST,	/* given up */
	RXS_DONE,	/* delivered ahead of order (arrival order) */
};

struct rmcast_slot {
	struct sk_buff	*skb;
	struct list_head node;		/* in a peer's NAK queue */
	unsigned long	expiry;
	unsigned long	since;		/* jiffies the gap was found */
	u32		sqn;
	u8		state;
	u8		ncf_retries;
	u8		data_retries;
	u8		cause;		/* RXS_LOST: RMCAST_LOSS_* */
	u8		self_drop;	/* its data came; we had no room */
};

#define RMCAST_RXW_SQNS		16384	/* sqns a peer's window tracks */
#define RMCAST_CHUNK		64	/* slots allocated together */
#define RMCAST_JOIN_BACKLOG	256	/* late join: start at trail if this
					 * close to it
					 */

/* A source heard by a receiving socket. */
struct rmcast_peer {
	struct list_head	node;		/* rs->peers */
	struct rmcast_tsi	tsi;
	struct rmcast_ip	nla;		/* where NAKs go */
	bool			nla_spm;	/* nla learnt from an SPM */
	bool			have_spm;
	u32			spm_sqn;
	u32			trail;		/* source's trailing edge */
	u32			lead;		/* highest sqn heard of */
	u32			next;		/* next to deliver */
	u32			tracked;	/* slots tracked up to (excl) */
	u32			start;		/* first sqn we track */
	u32			lost_first;	/* last loss run reported */
	u32			lost_last;
	u8			lost_cause;
	struct rmcast_slot	*chunk[RMCAST_RXW_SQNS / RMCAST_CHUNK];
	struct list_head	backoff;
	struct list_head	wait_ncf;
	struct list_head	wait_data;
	unsigned long		expiry;		/* earliest NAK deadline */
	unsigned long		heard;		/* jiffies last packet */
	u32			spmr_tries;
};

/* Kernel UDP tunnel socket shared per namespace, family and port. */
struct rmcast_udp {
	struct list_head	node;
	struct socket		*sock;
	struct rmcast_net	*rn;
	u16			port;
	u16			family;
	int			users;
};

/* Group membership shared per namespace. */
struct rmcast_member {
	struct list_head	node;
	struct rmcast_ip	group;
	int			ifindex;
	int			users;
};

struct rmcast_sock {
	struct sock		sk;		/* must be first */
	struct rmcast_net	*rn;
	spinlock_t		lock;		/* everything below */
	bool			dead;
	struct timer_list	timer;

	/* Options. */
	struct rmcast_cfg	cfg;
	u8			transport;
	u16			mport;		/* UDP ports, host order */
	u16			uport;
	int			max_tpdu;
	int			delivery;
	bool			loss_fatal;
	bool			loss_seen;	/* a loss was reported */
	bool			rx_held;	/* NAKs held: rcvbuf full */

	/* Receiver: bound to (group, dport). */
	bool			bound;
	struct sockaddr_rmcast	local;
	struct rmcast_ip	group_rx;
	struct hlist_node	rx_node;
	struct rmcast_udp	*rx_udp;
	struct rmcast_member	*member;
	struct list_head	peers;
	int			npeers;
	/* Incoming rate, for the receive budget as a time. */
	unsigned long		meter_stamp;
	u64			meter_bytes;	/* truesize since meter_stamp */
	u64			meter_rate;	/* bytes/s, smoothed */
	u32			avg_truesize;	/* of data packets, smoothed */
	unsigned int		ring_bytes;	/* truesize held in peers' rings */
	unsigned int		rx_wait_ncf;	/* sqns NAKed, no NCF yet */
	unsigned int		rx_wait_data;	/* sqns confirmed, no RDATA yet */

	/* Sender: connected to (group, dport). */
	bool			connected;
	struct sockaddr_rmcast	peer;
	struct rmcast_ip	group_tx;
	struct hlist_node	tx_node;
	struct rmcast_udp	*tx_udp;	/* receives NAKs: unicast port */
	struct rmcast_udp	*tx_udp_m;	/* ... and multicast port */
	struct rmcast_tsi	tsi;
	u16			sport;		/* host order */
	struct rmcast_txw	txw;
	struct rmcast_bucket	odata_tb;
	struct rmcast_bucket	rdata_tb;
	unsigned long		tx_meter_stamp;	/* original data metered */
	u64			tx_meter_bytes;	/* ... since then, on the wire */
	u64			tx_rate;	/* bytes/s, smoothed */
	u32			spm_sqn;
	unsigned long		spm_next;	/* next heartbeat SPM */
	unsigned long		spm_ambient;	/* next ambient SPM */
	unsigned long		spm_ivl;	/* current heartbeat interval */
	u32			*repq;		/* pending repairs (sqns) */
	u32			repq_head;
	u32			repq_len;
	bool			fin;
	bool			wake_writer;
	int			mtu;
	struct rmcast_ip	src_nla;	/* our address, sent in SPM */

	struct rmcast_stats	stats;
};

static inline struct rmcast_sock *rmcast_sk(const struct sock *sk)
{
	return (struct rmcast_sock *)sk;
}

static inline unsigned long rmcast_ms(int ms)
{
	return msecs_to_jiffies(ms);
}

#define RMCAST_REPQ_LEN		1024

/* rmcast_pernet.c */
int rmcast_pernet_init(void);
void rmcast_pernet_exit(void);

/* rmcast_transport.c */
int rmcast_transport_init(void);
void rmcast_transport_exit(void);
int rmcast_net_transport_init(struct rmcast_net *rn);
void rmcast_net_transport_exit(struct rmcast_net *rn);
struct rmcast_udp *rmcast_udp_get(struct rmcast_net *rn, u16 family,
				  u16 port);
void rmcast_udp_put(struct rmcast_udp *u);
struct rmcast_member *rmcast_member_get(struct rmcast_net *rn,
					const struct rmcast_ip *group,
					int ifindex);
void rmcast_member_put(struct rmcast_net *rn, struct rmcast_member *m);
/* Where a built packet goes; kept in skb->cb while on an xmit queue. */
struct rmcast_xmit {
	struct rmcast_ip	dst;
	int			ifindex;
	u8			ttl;
	u8			loop;
	u8			transport;
	u16			sport;	/* UDP ports, host order */
	u16			dport;
};

void rmcast_xmitq_add(struct sk_buff_head *q, struct sk_buff *skb,
		      const struct rmcast_xmit *x);
void rmcast_xmitq_ctrl(struct sk_buff_head *q, const struct pgm_pkt *p,
		       const struct rmcast_xmit *x);
void rmcast_xmitq_send(struct rmcast_net *rn, struct sk_buff_head *q);
int rmcast_route_saddr(struct rmcast_net *rn, const struct rmcast_ip *dst,
		       int ifindex, struct rmcast_ip *saddr, int *mtu);
void rmcast_rcv(struct net *net, struct sk_buff *skb, u8 transport);
#define RMCAST_HEADROOM	(LL_MAX_HEADER + sizeof(struct ipv6hdr) + 8)

/* rmcast_tx.c */
int rmcast_tx_connect(struct rmcast_sock *rs);
void rmcast_tx_release(struct rmcast_sock *rs);
void rmcast_tx_fin(struct rmcast_sock *rs);
int rmcast_tx_sendmsg(struct rmcast_sock *rs, struct msghdr *msg,
		      size_t len);
void rmcast_tx_nak(struct rmcast_sock *rs, const struct pgm_pkt *p,
		   struct sk_buff_head *xmitq);
void rmcast_tx_spmr(struct rmcast_sock *rs, struct sk_buff_head *xmitq);
unsigned long rmcast_tx_timer(struct rmcast_sock *rs,
			      struct sk_buff_head *xmitq);
void rmcast_tx_flush(struct rmcast_sock *rs, struct sk_buff_head *xmitq);
bool rmcast_tx_writable(struct rmcast_sock *rs);
void rmcast_tx_want_write(struct rmcast_sock *rs);
void rmcast_tb_init(struct rmcast_bucket *tb, u32 rate, int burst_ms);

/* rmcast_rx.c */
void rmcast_rx_deliver(struct rmcast_sock *rs, struct sk_buff *skb,
		       const struct pgm_pkt *p, const struct rmcast_ip *saddr);
unsigned long rmcast_rx_timer(struct rmcast_sock *rs,
			      struct sk_buff_head *xmitq);
void rmcast_rx_release(struct rmcast_sock *rs);
void rmcast_rx_flush(struct rmcast_sock *rs, struct sk_buff_head *xmitq);
void rmcast_rx_read(struct rmcast_sock *rs);
struct sk_buff *rmcast_loss_errskb(const struct rmcast_rxcb *cb, gfp_t gfp);
/* Shared by rmcast_rx.c (windows, delivery) and rmcast_nak.c (NAKs). */
struct rmcast_slot *rmcast_at(struct rmcast_peer *peer, u32 sqn);
void rmcast_slot_set(struct rmcast_sock *rs, struct rmcast_peer *peer,
		     struct rmcast_slot *slot, u8 state);
void rmcast_slot_lost(struct rmcast_sock *rs, struct rmcast_slot *slot,
		      u8 cause);
bool rmcast_slot_missing(const struct rmcast_slot *slot);
void rmcast_advance(struct rmcast_sock *rs, struct rmcast_peer *peer,
		    struct sk_buff_head *q);
void rmcast_peer_free(struct rmcast_sock *rs, struct rmcast_peer *peer);
/* rmcast_nak.c */
void rmcast_rx_spmr(struct rmcast_sock *rs, struct rmcast_peer *peer,
		    struct sk_buff_head *xmitq);
int rmcast_queue_err(struct sock *sk, struct sk_buff *skb);

/* rmcast_sock.c */
void rmcast_kick_timer(struct rmcast_sock *rs, unsigned long when);
u32 rmcast_hash(const struct rmcast_ip *ip, u16 port);
void rmcast_sock_set_family(int family);
extern struct net_proto_family rmcast_family_ops;
extern struct proto rmcast_proto;

/* Hold/release an skb on the module's object counter. */
static inline void rmcast_skb_held(void)
{
	atomic_inc(&rmcast_obj.skbs);
}

static inline void rmcast_skb_free(struct sk_buff *skb)
{
	if (skb) {
		atomic_dec(&rmcast_obj.skbs);
		kfree_skb(skb);
	}
}

#endif /* _RMCAST_H */
