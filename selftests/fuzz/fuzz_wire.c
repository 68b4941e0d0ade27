// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the PGM wire format (module/rmcast_wire.c).
 *
 * For every input: pgm_parse() with and without checksum verification
 * must agree (verification can only add -PGM_E_CSUM), and any packet
 * that parses must be rebuilt by pgm_build() to a packet that parses,
 * with a valid checksum, to the same fields; building that again must
 * give the same bytes.  libFuzzer hands us an exactly sized heap copy,
 * so ASan reports any read past the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rmcast_wire.h"

#define CHECK(x)	do { if (!(x)) __builtin_trap(); } while (0)

static bool nla_eq(const struct pgm_nla *a, const struct pgm_nla *b)
{
	return a->afi == b->afi && !memcmp(a->addr, b->addr, sizeof(a->addr));
}

static bool same(const struct pgm_pkt *a, const struct pgm_pkt *b)
{
	unsigned int i;

	if (a->sport != b->sport || a->dport != b->dport ||
	    a->type != b->type || memcmp(a->gsi, b->gsi, PGM_GSI_LEN) ||
	    a->tsdu_len != b->tsdu_len || a->sqn != b->sqn ||
	    a->trail != b->trail || a->lead != b->lead ||
	    !nla_eq(&a->src_nla, &b->src_nla) ||
	    !nla_eq(&a->grp_nla, &b->grp_nla) ||
	    a->has_frag != b->has_frag || a->frag_sqn != b->frag_sqn ||
	    a->frag_off != b->frag_off || a->frag_len != b->frag_len ||
	    a->fin != b->fin || a->syn != b->syn ||
	    a->nak_list_len != b->nak_list_len)
		return false;
	for (i = 0; i < a->nak_list_len; i++)
		if (a->nak_list[i] != b->nak_list[i])
			return false;
	return true;
}

static size_t rebuild(u8 *buf, size_t cap, const struct pgm_pkt *p)
{
	size_t h = pgm_build(buf, cap, p);
	size_t plen = (p->type == PGM_ODATA || p->type == PGM_RDATA) ?
		      p->tsdu_len : 0;

	CHECK(h != 0);
	CHECK(h == pgm_hdr_len(p));
	CHECK(h % 2 == 0);
	CHECK(h + plen <= cap);
	if (plen)
		memcpy(buf + h, p->data, plen);
	pgm_csum_set(buf, h, pgm_csum_partial(buf + h, plen, 0));
	return h + plen;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static u8 a[PGM_MAX_HDR_LEN + 65536], b[PGM_MAX_HDR_LEN + 65536];
	struct pgm_pkt p, pv, q, r;
	size_t alen, blen;
	int err, errv;

	err = pgm_parse(data, size, &p, false);
	errv = pgm_parse(data, size, &pv, true);
	CHECK(err <= 0 && errv <= 0);
	if (err)
		CHECK(errv == err || errv == -PGM_E_CSUM);
	else
		CHECK(errv == 0 || errv == -PGM_E_CSUM);
	if (err)
		return 0;

	/* What parsed must rebuild and re-parse to the same packet. */
	alen = rebuild(a, sizeof(a), &p);
	CHECK(pgm_parse(a, alen, &q, true) == 0);
	CHECK(same(&p, &q));
	if (q.data)
		CHECK(!memcmp(q.data, p.data, q.tsdu_len));

	/* And building is a fixed point from there. */
	blen = rebuild(b, sizeof(b), &q);
	CHECK(blen == alen && !memcmp(a, b, alen));
	CHECK(pgm_parse(b, blen, &r, true) == 0 && same(&q, &r));
	CHECK(r.options == q.options);
	return 0;
}
