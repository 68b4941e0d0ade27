/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PGM (RFC 3208) wire format: parse, build, checksum, sequence arithmetic.
 *
 * This file and rmcast_wire.c use no kernel-only calls: they also build
 * in userspace (selftests/wire_test.c, the fuzzer) with the shim below.
 * Nothing here allocates, sleeps or locks.  Every parse checks a length
 * before it reads the bytes it covers.
 */
#ifndef _RMCAST_WIRE_H
#define _RMCAST_WIRE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#else
#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __s32 s32;
typedef __u64 u64;
#endif

/* Packet types (RFC 3208 8.1). */
enum {
	PGM_SPM = 0x00,
	PGM_POLL = 0x01,
	PGM_POLR = 0x02,
	PGM_ODATA = 0x04,
	PGM_RDATA = 0x05,
	PGM_NAK = 0x08,
	PGM_NNAK = 0x09,
	PGM_NCF = 0x0a,
	PGM_SPMR = 0x0c,
	PGM_ACK = 0x0d,
};

/* pgm_options bits of the common header. */
#define PGM_OPT_PRESENT		0x01
#define PGM_OPT_NETWORK		0x02
#define PGM_OPT_VAR_PKTLEN	0x40
#define PGM_OPT_PARITY		0x80

/* Option types (RFC 3208 9); bit 7 of the type byte marks the last one. */
#define PGM_OPT_LENGTH		0x00
#define PGM_OPT_FRAGMENT	0x01
#define PGM_OPT_NAK_LIST	0x02
#define PGM_OPT_SYN		0x0d
#define PGM_OPT_FIN		0x0e
#define PGM_OPT_RST		0x0f
#define PGM_OPT_END		0x80
#define PGM_OPT_MASK		0x7f
/* Bits of an option's third byte. */
#define PGM_OP_ENCODED		0x08	/* F: parity-encoded option */
#define PGM_OPX_MASK		0x03	/* what to do with an unknown option */
#define PGM_OPX_IGNORE		0x00
#define PGM_OPX_INVALIDATE	0x01
#define PGM_OPX_DISCARD		0x02

#define PGM_AFI_IP		1
#define PGM_AFI_IP6		2

#define PGM_HDR_LEN		16
#define PGM_GSI_LEN		6
#define PGM_OPT_LENGTH_LEN	4
#define PGM_OPT_FRAGMENT_LEN	16
#define PGM_OPT_FIN_LEN		4
#define PGM_OPT_SYN_LEN		4
/* OPT_NAK_LIST: 4 bytes of header then 1..62 sequence numbers. */
#define PGM_NAK_LIST_MAX	62
#define PGM_OPT_NAK_LIST_LEN(n)	(4 + 4 * (n))
/* Sequence numbers one NAK can carry: nak_sqn plus the list. */
#define PGM_NAK_SQNS_MAX	(1 + PGM_NAK_LIST_MAX)

/* Largest header + options we ever build (NAK, IPv6 NLAs, full list). */
#define PGM_MAX_HDR_LEN		(PGM_HDR_LEN + 4 + 2 * 20 + \
				 PGM_OPT_LENGTH_LEN + \
				 PGM_OPT_NAK_LIST_LEN(PGM_NAK_LIST_MAX))

/* A network-layer address as carried in SPM, NAK and NCF. */
struct pgm_nla {
	u16	afi;		/* PGM_AFI_IP or PGM_AFI_IP6; 0: none */
	u8	addr[16];	/* network order; IPv4 in the first 4 bytes */
};

/*
 * A parsed packet, or the description of one to build.  Multi-byte
 * fields are host order here; the wire is network order.
 */
struct pgm_pkt {
	u16	sport;
	u16	dport;
	u8	type;
	u8	options;	/* pgm_options bits */
	u8	gsi[PGM_GSI_LEN];
	u16	tsdu_len;	/* ODATA/RDATA payload bytes */

	/* SPM: spm_sqn; ODATA/RDATA: data_sqn; NAK/NCF: nak_sqn. */
	u32	sqn;
	u32	trail;		/* SPM, ODATA, RDATA */
	u32	lead;		/* SPM */
	struct pgm_nla	src_nla;	/* SPM path NLA; NAK/NCF source NLA */
	struct pgm_nla	grp_nla;	/* NAK/NCF multicast group */

	/* Options seen (parse) or wanted (build). */
	bool	has_frag;
	u32	frag_sqn;	/* first sequence number of the message */
	u32	frag_off;	/* offset of this fragment in the message */
	u32	frag_len;	/* length of the whole message */
	bool	fin;
	bool	syn;
	u8	nak_list_len;	/* extra sequence numbers in OPT_NAK_LIST */
	u32	nak_list[PGM_NAK_LIST_MAX];

	/* Parse only: payload of ODATA/RDATA inside the parsed buffer. */
	const u8 *data;
};

/* Reasons a parse fails (negated return values of pgm_parse()). */
enum {
	PGM_E_SHORT = 1,	/* shorter than the header or a field */
	PGM_E_CSUM,		/* checksum mismatch */
	PGM_E_TYPE,		/* a type a host does not accept */
	PGM_E_OPTS,		/* malformed option chain */
	PGM_E_OPTX,		/* unknown option with OPX discard */
	PGM_E_NLA,		/* bad or unknown address family */
	PGM_E_LEN,		/* tsdu_len disagrees with the length */
	PGM_E_FRAG,		/* inconsistent OPT_FRAGMENT */
};

/*
 * Parse @len bytes at @buf (the PGM header onwards, IP/UDP stripped).
 * Verifies the checksum when @verify_csum and the field is non-zero.
 * Returns 0 and fills @p, or -PGM_E_*.  Never reads past @len.
 */
int pgm_parse(const void *buf, size_t len, struct pgm_pkt *p,
	      bool verify_csum);

/*
 * Length of header + type-specific fields + options that pgm_build()
 * writes for @p (payload not included).
 */
size_t pgm_hdr_len(const struct pgm_pkt *p);

/*
 * Write header, type-specific fields and options for @p into @buf
 * (@cap bytes).  The checksum field is left zero; finish it with
 * pgm_csum_set() once the payload follows.  Returns the bytes written
 * or 0 when @cap is too small or @p is not buildable.
 */
size_t pgm_build(void *buf, size_t cap, const struct pgm_pkt *p);

/* One's complement sum of @len bytes, added to @sum (not folded). */
u32 pgm_csum_partial(const void *buf, size_t len, u32 sum);
/* Fold to 16 bits and complement; 0 becomes 0xffff (RFC 3208 8). */
u16 pgm_csum_fold(u32 sum);
/*
 * Store the checksum of a packet whose header is at @hdr (@hdr_len bytes,
 * checksum field zero) and whose payload has partial sum @payload_sum
 * (0 if none).  @hdr_len must be even for the sums to combine, which
 * every header built by pgm_build() is.
 */
void pgm_csum_set(void *hdr, size_t hdr_len, u32 payload_sum);

/* Sequence arithmetic modulo 2^32 (RFC 1982 style). */
static inline bool pgm_seq_lt(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

static inline bool pgm_seq_le(u32 a, u32 b)
{
	return (s32)(a - b) <= 0;
}

static inline bool pgm_seq_gt(u32 a, u32 b)
{
	return (s32)(a - b) > 0;
}

static inline bool pgm_seq_ge(u32 a, u32 b)
{
	return (s32)(a - b) >= 0;
}

/* @s in [@lo, @hi], inclusive, modulo 2^32. */
static inline bool pgm_seq_in(u32 s, u32 lo, u32 hi)
{
	return (u32)(s - lo) <= (u32)(hi - lo);
}

#endif /* _RMCAST_WIRE_H */
