// SPDX-License-Identifier: GPL-2.0
/*
 * PGM (RFC 3208) wire format: parse, build and checksum.
 *
 * Builds both in the kernel and in userspace (see rmcast_wire.h): only
 * memcpy() is used, every multi-byte field goes through the big-endian
 * load/store helpers below, which are safe at any alignment.
 *
 * Layout, after the 16-byte common header:
 *   SPM          spm_sqn trail lead afi rsvd nla(4|16) [options]
 *   ODATA/RDATA  data_sqn trail [options] payload(tsdu_length)
 *   NAK/NNAK/NCF nak_sqn afi rsvd src_nla(4|16) afi rsvd grp_nla(4|16)
 *                [options]
 *   SPMR         [options]
 * Options: OPT_LENGTH (type 0, length 4, u16 total length of all options
 * including itself) first, then options of type(1) length(1) flags(1)
 * data, the last with PGM_OPT_END in its type.  Each known option's data
 * starts with one reserved byte (OpenPGM's struct pgm_opt_fragment etc.).
 *
 * Parse policy for a host:
 *  - known options are recorded only on the packet types that carry them
 *    (OPT_FRAGMENT on ODATA/RDATA, OPT_NAK_LIST on NAK/NNAK/NCF, OPT_SYN
 *    and OPT_FIN on SPM/ODATA/RDATA) and otherwise checked and skipped,
 *    so that pgm_build() of a parsed packet reproduces it;
 *  - a known option with a wrong length, or one seen twice, is malformed;
 *  - options defined by RFC 3208 or PGMCC that a host without FEC or
 *    congestion control has no use for (JOIN, NAK_BO_*, REDIRECT, PARITY_*,
 *    CURR_TGSIZE, NBR_UNREACH, PATH_NLA, RST, CR, CRQST, PGMCC_*) are
 *    skipped whatever their OPX says: OpenPGM 5.3 leaves that byte
 *    uninitialised on OPT_PARITY_PRM and OPT_CRQST (SPM) and on
 *    OPT_PGMCC_DATA (ODATA), so honouring a "discard" there would drop
 *    good packets at random;
 *  - other unknown options are skipped unless OPX says discard (reserved
 *    OPX 3 is treated as discard); an invalidated option (type 0x7f) is
 *    skipped;
 *  - ODATA/RDATA: the payload is exactly what follows the options and
 *    must equal tsdu_length; other types may carry trailing bytes after
 *    their options, which are ignored;
 *  - PGM_OPT_PARITY on ODATA/RDATA/NAK/NNAK/NCF is refused (no FEC):
 *    their sequence numbers would name transmission groups, not packets.
 *
 * pgm_build() computes the header options byte itself: PGM_OPT_PRESENT
 * when it writes options, plus PGM_OPT_NETWORK with OPT_NAK_LIST (as
 * OpenPGM does); p->options is not used.
 */
#include "rmcast_wire.h"

/* Offsets in the common header. */
#define PGM_OFF_TYPE		4
#define PGM_OFF_OPTIONS		5
#define PGM_OFF_CSUM		6
#define PGM_OFF_GSI		8
#define PGM_OFF_TSDU		14

#define PGM_OPT_HDR_LEN		3
#define PGM_OPT_INVALID		0x7f

/*
 * Defined option types we do not use (see above): 0x03-0x05, 0x07-0x0c,
 * 0x0f-0x13.  0x06 and 0x14 onwards are unknown.
 */
#define PGM_OPT_UNUSED_MASK	0x000f9fb8u

static inline u16 get_be16(const u8 *p)
{
	u8 b[2];

	memcpy(b, p, sizeof(b));
	return (u16)((b[0] << 8) | b[1]);
}

static inline u32 get_be32(const u8 *p)
{
	u8 b[4];

	memcpy(b, p, sizeof(b));
	return ((u32)b[0] << 24) | ((u32)b[1] << 16) |
	       ((u32)b[2] << 8) | b[3];
}

static inline void put_be16(u8 *p, u16 v)
{
	u8 b[2] = { (u8)(v >> 8), (u8)v };

	memcpy(p, b, sizeof(b));
}

static inline void put_be32(u8 *p, u32 v)
{
	u8 b[4] = { (u8)(v >> 24), (u8)(v >> 16), (u8)(v >> 8), (u8)v };

	memcpy(p, b, sizeof(b));
}

static inline size_t nla_addr_len(u16 afi)
{
	switch (afi) {
	case PGM_AFI_IP:
		return 4;
	case PGM_AFI_IP6:
		return 16;
	default:
		return 0;
	}
}

static inline bool pgm_is_data(u8 type)
{
	return type == PGM_ODATA || type == PGM_RDATA;
}

static inline bool pgm_is_nak(u8 type)
{
	return type == PGM_NAK || type == PGM_NNAK || type == PGM_NCF;
}

/* Types that may carry OPT_SYN and OPT_FIN. */
static inline bool pgm_has_synfin(u8 type)
{
	return type == PGM_SPM || pgm_is_data(type);
}

/*
 * ---- checksum ----
 *
 * Sums here are of big-endian 16-bit words, kept as host integers folded
 * to 16 bits, and pgm_csum_fold()'s result is stored big-endian; the
 * bytes on the wire match OpenPGM's pgm_csum_fold(pgm_csum_partial()).
 * A kernel __wsum (csum_partial(), skb_checksum()) sums native words
 * instead; on a little-endian host pass it as @payload_sum converted:
 * be16_to_cpu((__force __be16)(u16)~csum_fold(wsum)).
 */

static u32 csum_fold16(u64 acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (u32)acc;
}

u32 pgm_csum_partial(const void *buf, size_t len, u32 sum)
{
	const u8 *b = buf;
	u64 acc = sum;

	/*
	 * A big-endian 32-bit word adds hi * 2^16 + lo; 2^16 == 1 in one's
	 * complement arithmetic modulo 0xffff, so this is the sum of its two
	 * 16-bit halves once folded.
	 */
	while (len >= 8) {
		acc += get_be32(b);
		acc += get_be32(b + 4);
		b += 8;
		len -= 8;
	}
	while (len >= 2) {
		acc += get_be16(b);
		b += 2;
		len -= 2;
	}
	if (len)
		acc += (u32)b[0] << 8;
	return csum_fold16(acc);
}

u16 pgm_csum_fold(u32 sum)
{
	u16 c = (u16)~csum_fold16(sum);

	return c ? c : 0xffff;
}

void pgm_csum_set(void *hdr, size_t hdr_len, u32 payload_sum)
{
	u8 *h = hdr;

	put_be16(h + PGM_OFF_CSUM, 0);
	put_be16(h + PGM_OFF_CSUM,
		 pgm_csum_fold(pgm_csum_partial(h, hdr_len, payload_sum)));
}

/* ---- parse ---- */

/* Read afi, reserved, address at *off; advance *off.  *off <= len. */
static int parse_nla(const u8 *b, size_t len, size_t *off,
		     struct pgm_nla *nla)
{
	size_t alen;
	u16 afi;

	if (len - *off < 4)
		return -PGM_E_SHORT;
	afi = get_be16(b + *off);
	alen = nla_addr_len(afi);
	if (!alen)
		return -PGM_E_NLA;
	if (len - *off - 4 < alen)
		return -PGM_E_SHORT;
	nla->afi = afi;
	memcpy(nla->addr, b + *off + 4, alen);
	*off += 4 + alen;
	return 0;
}

/* One known or unknown option at @o (@olen bytes incl. its header). */
static int parse_opt(const u8 *o, size_t olen, struct pgm_pkt *p,
		     unsigned int *seen)
{
	u8 type = o[0] & PGM_OPT_MASK;
	unsigned int bit;
	size_t n, i;

	switch (type) {
	case PGM_OPT_LENGTH:
		return -PGM_E_OPTS;	/* only as the first option */
	case PGM_OPT_FRAGMENT:
		if (olen != PGM_OPT_FRAGMENT_LEN)
			return -PGM_E_OPTS;
		bit = 1;
		break;
	case PGM_OPT_NAK_LIST:
		if (olen < PGM_OPT_NAK_LIST_LEN(1) ||
		    olen > PGM_OPT_NAK_LIST_LEN(PGM_NAK_LIST_MAX) ||
		    (olen - PGM_OPT_NAK_LIST_LEN(0)) % 4)
			return -PGM_E_OPTS;
		bit = 2;
		break;
	case PGM_OPT_SYN:
		if (olen != PGM_OPT_SYN_LEN)
			return -PGM_E_OPTS;
		bit = 4;
		break;
	case PGM_OPT_FIN:
		if (olen != PGM_OPT_FIN_LEN)
			return -PGM_E_OPTS;
		bit = 8;
		break;
	case PGM_OPT_INVALID:
		return 0;
	default:
		if (type < 32 && (PGM_OPT_UNUSED_MASK >> type) & 1)
			return 0;
		if ((o[2] & PGM_OPX_MASK) == PGM_OPX_IGNORE ||
		    (o[2] & PGM_OPX_MASK) == PGM_OPX_INVALIDATE)
			return 0;
		return -PGM_E_OPTX;
	}

	if (*seen & bit)
		return -PGM_E_OPTS;
	*seen |= bit;

	/* o[3] is the option's reserved byte; its data follows. */
	switch (type) {
	case PGM_OPT_FRAGMENT:
		if (!pgm_is_data(p->type))
			break;
		p->has_frag = true;
		p->frag_sqn = get_be32(o + 4);
		p->frag_off = get_be32(o + 8);
		p->frag_len = get_be32(o + 12);
		break;
	case PGM_OPT_NAK_LIST:
		if (!pgm_is_nak(p->type))
			break;
		n = (olen - PGM_OPT_NAK_LIST_LEN(0)) / 4;
		for (i = 0; i < n; i++)
			p->nak_list[i] = get_be32(o + 4 + 4 * i);
		p->nak_list_len = (u8)n;
		break;
	case PGM_OPT_SYN:
		p->syn = pgm_has_synfin(p->type);
		break;
	case PGM_OPT_FIN:
		p->fin = pgm_has_synfin(p->type);
		break;
	}
	return 0;
}

/*
 * Options start at *off (*off <= len); on success *off is where they
 * end.  The chain must lie inside OPT_LENGTH's total, the last option
 * carry PGM_OPT_END and end exactly at the total.
 */
static int parse_opts(const u8 *b, size_t len, size_t *off,
		      struct pgm_pkt *p)
{
	unsigned int seen = 0;
	size_t pos, end, olen;
	int err;

	if (len - *off < PGM_OPT_LENGTH_LEN)
		return -PGM_E_SHORT;
	pos = *off;
	if (b[pos] != PGM_OPT_LENGTH || b[pos + 1] != PGM_OPT_LENGTH_LEN)
		return -PGM_E_OPTS;
	end = get_be16(b + pos + 2);
	if (end < PGM_OPT_LENGTH_LEN + PGM_OPT_HDR_LEN)
		return -PGM_E_OPTS;
	if (end > len - pos)
		return -PGM_E_SHORT;
	end += pos;
	pos += PGM_OPT_LENGTH_LEN;

	/* Each pass advances pos by at least PGM_OPT_HDR_LEN. */
	while (pos < end) {
		if (end - pos < PGM_OPT_HDR_LEN)
			return -PGM_E_OPTS;
		olen = b[pos + 1];
		if (olen < PGM_OPT_HDR_LEN || olen > end - pos)
			return -PGM_E_OPTS;
		err = parse_opt(b + pos, olen, p, &seen);
		if (err)
			return err;
		if (b[pos] & PGM_OPT_END) {
			if (pos + olen != end)
				return -PGM_E_OPTS;
			*off = end;
			return 0;
		}
		pos += olen;
	}
	return -PGM_E_OPTS;	/* no PGM_OPT_END */
}

static int check_frag(const struct pgm_pkt *p)
{
	if (!p->has_frag)
		return 0;
	if (p->frag_len < 1 || p->frag_off >= p->frag_len ||
	    p->tsdu_len > p->frag_len - p->frag_off)
		return -PGM_E_FRAG;
	/* The first fragment names itself; later ones an earlier packet. */
	if (p->frag_off == 0 ? p->frag_sqn != p->sqn :
	    !pgm_seq_lt(p->frag_sqn, p->sqn))
		return -PGM_E_FRAG;
	return 0;
}

int pgm_parse(const void *buf, size_t len, struct pgm_pkt *p,
	      bool verify_csum)
{
	const u8 *b = buf;
	size_t off = PGM_HDR_LEN;
	u16 csum;
	u32 sum;
	int err;

	memset(p, 0, sizeof(*p));
	if (len < PGM_HDR_LEN)
		return -PGM_E_SHORT;

	csum = get_be16(b + PGM_OFF_CSUM);
	if (verify_csum && csum) {
		sum = pgm_csum_partial(b, PGM_OFF_CSUM, 0);
		sum = pgm_csum_partial(b + PGM_OFF_GSI, len - PGM_OFF_GSI, sum);
		if (pgm_csum_fold(sum) != csum)
			return -PGM_E_CSUM;
	}

	p->sport = get_be16(b);
	p->dport = get_be16(b + 2);
	p->type = b[PGM_OFF_TYPE];
	p->options = b[PGM_OFF_OPTIONS];
	memcpy(p->gsi, b + PGM_OFF_GSI, PGM_GSI_LEN);
	p->tsdu_len = get_be16(b + PGM_OFF_TSDU);

	switch (p->type) {
	case PGM_SPM:
		if (len - off < 12)
			return -PGM_E_SHORT;
		p->sqn = get_be32(b + off);
		p->trail = get_be32(b + off + 4);
		p->lead = get_be32(b + off + 8);
		off += 12;
		err = parse_nla(b, len, &off, &p->src_nla);
		if (err)
			return err;
		break;
	case PGM_ODATA:
	case PGM_RDATA:
		if (p->options & PGM_OPT_PARITY)
			return -PGM_E_TYPE;
		if (len - off < 8)
			return -PGM_E_SHORT;
		p->sqn = get_be32(b + off);
		p->trail = get_be32(b + off + 4);
		off += 8;
		break;
	case PGM_NAK:
	case PGM_NNAK:
	case PGM_NCF:
		if (p->options & PGM_OPT_PARITY)
			return -PGM_E_TYPE;
		if (len - off < 4)
			return -PGM_E_SHORT;
		p->sqn = get_be32(b + off);
		off += 4;
		err = parse_nla(b, len, &off, &p->src_nla);
		if (err)
			return err;
		err = parse_nla(b, len, &off, &p->grp_nla);
		if (err)
			return err;
		break;
	case PGM_SPMR:
		break;
	default:	/* POLL, POLR, ACK and unknown types */
		return -PGM_E_TYPE;
	}

	if (p->options & PGM_OPT_PRESENT) {
		err = parse_opts(b, len, &off, p);
		if (err)
			return err;
	}

	if (pgm_is_data(p->type)) {
		if (len - off != p->tsdu_len)
			return -PGM_E_LEN;
		p->data = b + off;
		return check_frag(p);
	}
	return 0;
}

/* ---- build ---- */

/* Bytes of options pgm_build() writes for @p, OPT_LENGTH included. */
static size_t opts_len(const struct pgm_pkt *p)
{
	size_t n = 0;

	if (pgm_is_data(p->type) && p->has_frag)
		n += PGM_OPT_FRAGMENT_LEN;
	if (pgm_is_nak(p->type) && p->nak_list_len)
		n += PGM_OPT_NAK_LIST_LEN(p->nak_list_len);
	if (pgm_has_synfin(p->type)) {
		if (p->syn)
			n += PGM_OPT_SYN_LEN;
		if (p->fin)
			n += PGM_OPT_FIN_LEN;
	}
	return n ? n + PGM_OPT_LENGTH_LEN : 0;
}

size_t pgm_hdr_len(const struct pgm_pkt *p)
{
	size_t n = PGM_HDR_LEN;
	size_t src = nla_addr_len(p->src_nla.afi);
	size_t grp = nla_addr_len(p->grp_nla.afi);

	switch (p->type) {
	case PGM_SPM:
		if (!src)
			return 0;
		n += 12 + 4 + src;
		break;
	case PGM_ODATA:
	case PGM_RDATA:
		n += 8;
		break;
	case PGM_NAK:
	case PGM_NNAK:
	case PGM_NCF:
		if (!src || !grp || p->nak_list_len > PGM_NAK_LIST_MAX)
			return 0;
		n += 4 + 4 + src + 4 + grp;
		break;
	case PGM_SPMR:
		break;
	default:
		return 0;
	}
	return n + opts_len(p);
}

static u8 *put_nla(u8 *w, const struct pgm_nla *nla)
{
	size_t alen = nla_addr_len(nla->afi);

	put_be16(w, nla->afi);
	put_be16(w + 2, 0);
	memcpy(w + 4, nla->addr, alen);
	return w + 4 + alen;
}

/* Option header; @o is the option's start, @len its length. */
static u8 *put_opt(u8 *o, u8 type, u8 len, u8 **last)
{
	o[0] = type;
	o[1] = len;
	o[2] = 0;	/* flags: OPX ignore */
	o[3] = 0;	/* the option's reserved byte */
	*last = o;
	return o + 4;
}

static u8 *put_opts(u8 *w, const struct pgm_pkt *p, size_t olen)
{
	u8 *last = NULL;
	unsigned int i;

	w[0] = PGM_OPT_LENGTH;
	w[1] = PGM_OPT_LENGTH_LEN;
	put_be16(w + 2, (u16)olen);
	w += PGM_OPT_LENGTH_LEN;

	if (pgm_is_data(p->type) && p->has_frag) {
		w = put_opt(w, PGM_OPT_FRAGMENT, PGM_OPT_FRAGMENT_LEN, &last);
		put_be32(w, p->frag_sqn);
		put_be32(w + 4, p->frag_off);
		put_be32(w + 8, p->frag_len);
		w += 12;
	}
	if (pgm_is_nak(p->type) && p->nak_list_len) {
		w = put_opt(w, PGM_OPT_NAK_LIST,
			    PGM_OPT_NAK_LIST_LEN(p->nak_list_len), &last);
		for (i = 0; i < p->nak_list_len; i++, w += 4)
			put_be32(w, p->nak_list[i]);
	}
	if (pgm_has_synfin(p->type) && p->syn)
		w = put_opt(w, PGM_OPT_SYN, PGM_OPT_SYN_LEN, &last);
	if (pgm_has_synfin(p->type) && p->fin)
		w = put_opt(w, PGM_OPT_FIN, PGM_OPT_FIN_LEN, &last);
	if (last)
		last[0] |= PGM_OPT_END;
	return w;
}

size_t pgm_build(void *buf, size_t cap, const struct pgm_pkt *p)
{
	size_t len = pgm_hdr_len(p);
	size_t olen = opts_len(p);
	u8 *b = buf;
	u8 *w;
	u8 opts = 0;

	if (!len || len > cap)
		return 0;

	if (olen)
		opts |= PGM_OPT_PRESENT;
	if (olen && pgm_is_nak(p->type) && p->nak_list_len)
		opts |= PGM_OPT_NETWORK;

	put_be16(b, p->sport);
	put_be16(b + 2, p->dport);
	b[PGM_OFF_TYPE] = p->type;
	b[PGM_OFF_OPTIONS] = opts;
	put_be16(b + PGM_OFF_CSUM, 0);
	memcpy(b + PGM_OFF_GSI, p->gsi, PGM_GSI_LEN);
	put_be16(b + PGM_OFF_TSDU, p->tsdu_len);
	w = b + PGM_HDR_LEN;

	switch (p->type) {
	case PGM_SPM:
		put_be32(w, p->sqn);
		put_be32(w + 4, p->trail);
		put_be32(w + 8, p->lead);
		w = put_nla(w + 12, &p->src_nla);
		break;
	case PGM_ODATA:
	case PGM_RDATA:
		put_be32(w, p->sqn);
		put_be32(w + 4, p->trail);
		w += 8;
		break;
	case PGM_NAK:
	case PGM_NNAK:
	case PGM_NCF:
		put_be32(w, p->sqn);
		w = put_nla(w + 4, &p->src_nla);
		w = put_nla(w, &p->grp_nla);
		break;
	}

	if (olen)
		w = put_opts(w, p, olen);
	return (size_t)(w - b);
}
