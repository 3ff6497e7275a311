// SPDX-License-Identifier: MIT
/*
 * The guest test suite for the axi_dma driver: drives /dev/axi-dmaN from user space and
 * checks the bytes that moved, the errno of every bad request and the mapping rules.
 *
 *   axi_dma_test [-d /dev/axi-dma0] [-c CHANNEL] [TEST...]     (no TEST: the default set)
 *   axi_dma_test -l                                            list the tests
 *
 * Output: one line per test, "ok NAME" or "not ok NAME: why" (the guest runner turns
 * these into results for the host). Exit status 0 only if every test passed; 1 if one
 * failed or the device/channel could not be opened; 2 for a bad option or no such test.
 *
 * The suite is split by area, each file with its own table of tests: fixture.{h,c} (the
 * helpers and the runner), basics.c, memcpy.c, mmap.c, nonblocking.c, files.c, cached.c, usermem.c, dmabuf.c,
 * hold.c, slave.c, loopback.c, stream.c, axi.c. Tests run in the order below, then in each
 * table's order, whatever the order on the command line.
 */
#include "fixture.h"

static const struct test *const areas[] = {
	basics_tests, memcpy_tests, mmap_tests, nonblocking_tests, files_tests, cached_tests,
	usermem_tests, dmabuf_tests, hold_tests, slave_tests, loopback_tests, stream_tests, axi_tests,
};

#define for_each_test(t) \
	for (size_t a_ = 0; a_ < sizeof(areas) / sizeof(areas[0]); a_++) \
		for (const struct test *t = areas[a_]; t->name; t++)

int main(int argc, char **argv)
{
	int opt, failed = 0, ran = 0;
	struct axidma_dev d;
	struct axi_dma_chan_info ci;
	const char *chan_name = NULL;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "d:c:l")) != -1) {
		switch (opt) {
		case 'd': dev_path = optarg; break;
		case 'c': chan_name = optarg; break;
		case 'l':
			for_each_test(t)
				printf("%s\n", t->name);
			return 0;
		default:
			fprintf(stderr, "usage: %s [-d DEV] [-c CHANNEL-NAME] [-l] [TEST...]\n", argv[0]);
			return 2;
		}
	}
	if (axidma_open(&d, dev_path)) {
		printf("not ok open: %s: %s\n", dev_path, strerror(errno));
		return 1;
	}
	if (chan_name) {
		int c = axidma_chan_find(&d, chan_name);

		if (c < 0) {
			printf("not ok open: no channel %s\n", chan_name);
			return 1;
		}
		chan = (uint32_t)c;
	} else {
		/* The first memcpy-capable channel. */
		for (uint32_t i = 0; i < d.info.num_channels; i++)
			if (!axidma_chan_info(&d, i, &ci) && (ci.directions & AXI_DMA_DIR_MEM_TO_MEM)) {
				chan = i;
				break;
			}
	}
	if (!axidma_chan_info(&d, chan, &ci) && ci.addr_align > 1)
		align = ci.addr_align;
	axidma_close(&d);

	for_each_test(t) {
		int want = optind >= argc ? t->in_all : 0;

		for (int a = optind; a < argc; a++)
			want |= !strcmp(argv[a], t->name);
		if (want) {
			failed += run_test(t);
			ran++;
		}
	}
	if (!ran) {
		fprintf(stderr, "no such test\n");
		return 2;
	}
	return failed ? 1 : 0;
}
