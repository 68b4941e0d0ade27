// SPDX-License-Identifier: GPL-2.0
/* Self-verifying test messages; see testmsg.h for the format. */
#include "testmsg.h"

#include <string.h>

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void put_be(uint8_t *p, uint64_t v, int bytes)
{
	int i;

	for (i = bytes - 1; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t get_be(const uint8_t *p, int bytes)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < bytes; i++)
		v = (v << 8) | p[i];
	return v;
}

static void fill_payload(uint8_t *p, size_t n, uint16_t seed, uint64_t index)
{
	uint64_t state = ((uint64_t)seed << 48) ^
			 (index * 0xd1b54a32d192ed03ULL);
	size_t off = 0;

	while (off < n) {
		uint64_t r = splitmix64(&state);
		size_t k;

		for (k = 0; k < 8 && off < n; k++, off++) {
			p[off] = (uint8_t)r;
			r >>= 8;
		}
	}
}

void testmsg_fill(uint8_t *buf, size_t len, uint16_t seed, uint64_t index)
{
	uint8_t hdr[TESTMSG_HDR_LEN];

	put_be(hdr, TESTMSG_MAGIC, 2);
	put_be(hdr + 2, seed, 2);
	put_be(hdr + 4, index, 8);
	put_be(hdr + 12, (uint32_t)len, 4);
	memcpy(buf, hdr, len < sizeof(hdr) ? len : sizeof(hdr));
	if (len > TESTMSG_HDR_LEN)
		fill_payload(buf + TESTMSG_HDR_LEN, len - TESTMSG_HDR_LEN,
			     seed, index);
}

void testmsg_parse(const uint8_t *buf, size_t len, struct testmsg_hdr *h)
{
	memset(h, 0, sizeof(*h));
	h->has_magic = len >= 2;
	h->has_seed = len >= TESTMSG_SEED_END;
	h->has_index = len >= TESTMSG_INDEX_END;
	h->has_len = len >= TESTMSG_HDR_LEN;
	if (h->has_magic)
		h->magic = (uint16_t)get_be(buf, 2);
	if (h->has_seed)
		h->seed = (uint16_t)get_be(buf + 2, 2);
	if (h->has_index)
		h->index = get_be(buf + 4, 8);
	if (h->has_len)
		h->len = (uint32_t)get_be(buf + 12, 4);
}

long testmsg_check(const uint8_t *buf, size_t len, uint16_t seed,
		   uint64_t index, uint8_t *scratch)
{
	size_t i;

	testmsg_fill(scratch, len, seed, index);
	if (memcmp(buf, scratch, len) == 0)
		return -1;
	for (i = 0; i < len && buf[i] == scratch[i]; i++)
		;
	return (long)i;
}

void testmsg_sizes_init(struct testmsg_sizes *sz, size_t min, size_t max,
			uint16_t seed)
{
	sz->min = min;
	sz->max = max;
	sz->rng = 0x5eed000000000000ULL ^ seed;
}

static size_t uniform(struct testmsg_sizes *sz, size_t lo, size_t hi)
{
	return lo + (size_t)(splitmix64(&sz->rng) % (hi - lo + 1));
}

size_t testmsg_sizes_next(struct testmsg_sizes *sz)
{
	size_t lo, hi;
	unsigned int pct;

	if (sz->max <= sz->min)
		return sz->min;
	pct = (unsigned int)(splitmix64(&sz->rng) % 100);
	if (pct < 90) {
		lo = 0;
		hi = 1024;
	} else if (pct < 99) {
		lo = 1024;
		hi = 8192;
	} else {
		lo = 8192;
		hi = sz->max;
	}
	lo = lo < sz->min ? sz->min : lo;
	hi = hi > sz->max ? sz->max : hi;
	if (lo > hi)
		return uniform(sz, sz->min, sz->max);
	return uniform(sz, lo, hi);
}

uint64_t fnv1a64(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}
