// SPDX-License-Identifier: MIT
/*
 * The mapping rules: VmFlags, ranges, MAP_PRIVATE and PROT_EXEC refused, mremap,
 * partial munmap; a buffer freed while still mapped.
 */
#include "fixture.h"

static int t_mmap_rules(void)
{
	struct axidma_dev d;
	struct axidma_buf b;
	long pg = sysconf(_SC_PAGESIZE);
	void *p;
	char flags[512];

	if (open_dev(&d)) return -1;
	EXPECT_OK(axidma_buf_alloc(&d, chan, 3 * pg, &b));
	CHECK(smaps_flags(b.ptr, flags, sizeof(flags)) == 0, "mapping not in smaps");
	printf("# VmFlags:%s", flags);
	CHECK(strstr(flags, " io") && strstr(flags, " pf") && strstr(flags, " de") && strstr(flags, " dd"),
	      "VmFlags lack io/pf/de/dd: %.200s", flags);
	CHECK(!strstr(flags, " ex"), "mapping is executable: %.200s", flags);
	/* Past the end: offset and length. */
	p = mmap(NULL, 4 * pg, PROT_READ, MAP_SHARED, d.fd, (off_t)b.offset);
	CHECK(p == MAP_FAILED && errno == EINVAL, "mapping 4 pages of a 3-page buffer: %d", errno);
	p = mmap(NULL, pg, PROT_READ, MAP_SHARED, d.fd, (off_t)(b.offset + 3 * pg));
	CHECK(p == MAP_FAILED && errno == EINVAL, "mapping at the end offset: %d", errno);
	p = mmap(NULL, pg, PROT_READ, MAP_SHARED, d.fd, (off_t)(b.offset + (1ULL << 30)));
	CHECK(p == MAP_FAILED && errno == EINVAL, "mapping an unknown offset: %d", errno);
	/* A window into the middle is fine and sees the same bytes. */
	b.ptr[pg + 5] = 0x42;
	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, d.fd, (off_t)(b.offset + pg));
	CHECK(p != MAP_FAILED, "window mapping: %s", strerror(errno));
	CHECK(((uint8_t *)p)[5] == 0x42, "window sees other bytes");
	munmap(p, pg);
	/* Private, executable. */
	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, d.fd, (off_t)b.offset);
	CHECK(p == MAP_FAILED && errno == EINVAL, "MAP_PRIVATE allowed: %d", errno);
	p = mmap(NULL, pg, PROT_READ | PROT_EXEC, MAP_SHARED, d.fd, (off_t)b.offset);
	CHECK(p == MAP_FAILED && (errno == EPERM || errno == EACCES), "PROT_EXEC allowed: %d", errno);
	/* mremap cannot grow it. */
	p = mremap(b.ptr, 3 * pg, 6 * pg, MREMAP_MAYMOVE);
	CHECK(p == MAP_FAILED, "mremap grew the mapping");
	/* Partial munmap splits the VMA: the rest stays valid. */
	CHECK(munmap(b.ptr + 2 * pg, pg) == 0, "partial munmap");
	b.ptr[0] = 1;
	b.map_size = 2 * pg;
	EXPECT_OK(axidma_buf_free(&d, &b));
	axidma_close(&d);
	return 0;
}

static int t_free_while_mapped(void)
{
	struct axidma_dev d;
	struct axidma_buf b, s;
	uint8_t *keep;
	uint64_t n = 64 * 1024;

	if (open_dev(&d)) return -1;
	EXPECT_OK(axidma_buf_alloc(&d, chan, n, &b));
	EXPECT_OK(axidma_buf_alloc(&d, chan, n, &s));
	fill(b.ptr, n, 11);
	keep = b.ptr;
	b.ptr = NULL; /* free the id but keep the mapping */
	EXPECT_OK(axidma_buf_free(&d, &b));
	/* The id is gone ... */
	EXPECT_ERR(axidma_memcpy(&d, chan, &s, 0, &b, 0, 16, 0), ENOENT);
	/* ... but the mapping still holds the memory: it is not reused by a new buffer. */
	{
		uint8_t ref[64];
		struct axidma_buf c;

		fill(ref, sizeof(ref), 11);
		EXPECT_OK(axidma_buf_alloc(&d, chan, n, &c));
		memset(c.ptr, 0xee, n);
		CHECK(!memcmp(keep, ref, sizeof(ref)), "freed-but-mapped buffer changed");
		axidma_buf_free(&d, &c);
	}
	munmap(keep, n);
	axidma_buf_free(&d, &s);
	axidma_close(&d);
	return 0;
}

const struct test mmap_tests[] = {
	{ "mmap_rules", t_mmap_rules, 1 },
	{ "free_while_mapped", t_free_while_mapped, 1 },
	{ 0 }
};
