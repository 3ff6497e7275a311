// SPDX-License-Identifier: MIT
/*
 * The shared fixture of axi_dma_test: the options every test reads, the failure macros,
 * the data and device helpers, the loopback-provider helpers, and the test registry.
 * Include it first in every file of the suite (it sets the feature macros).
 *
 * A test is `static int t_NAME(void)` returning 0, or -1 with fail_msg set (FAIL, CHECK,
 * EXPECT_*). Each area file ends with its table, `const struct test AREA_tests[]`,
 * terminated by { 0 }; main.c runs the areas' tables in order. Adding a test: one function
 * and one table line in its area's file.
 */
#ifndef AXI_DMA_TEST_FIXTURE_H
#define AXI_DMA_TEST_FIXTURE_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../lib/c/axidma.h"
#include "provider_params.h"

/* Set by main() from the command line before any test runs. */
extern const char *dev_path;  /* -d */
extern uint32_t chan;         /* the memcpy channel under test (-c, or the first memcpy-capable) */
extern uint32_t align;        /* that channel's address alignment */
extern char fail_msg[512];    /* why the running test failed */

#define FAIL(...) do { snprintf(fail_msg, sizeof(fail_msg), __VA_ARGS__); return -1; } while (0)
#define CHECK(c, ...) do { if (!(c)) FAIL(__VA_ARGS__); } while (0)
/* Expect a call returning -errno to fail with exactly `e`. */
#define EXPECT_ERR(call, e) do { int r_ = (call); \
	if (r_ != -(e)) FAIL("%s: got %d (%s), want -%s", #call, r_, r_ < 0 ? strerror(-r_) : "success", #e); } while (0)
#define EXPECT_OK(call) do { int r_ = (call); \
	if (r_ < 0) FAIL("%s: %s", #call, strerror(-r_)); } while (0)

/* Data and device helpers (fixture.c). */
void fill(uint8_t *p, uint64_t n, uint32_t seed);
int64_t first_diff(const uint8_t *a, const uint8_t *b, uint64_t n);
int open_dev(struct axidma_dev *d);
static inline uint64_t round_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }
int copy_check(struct axidma_dev *d, struct axidma_buf *src, uint64_t soff,
	       struct axidma_buf *dst, uint64_t doff, uint64_t len, uint32_t seed);
int copy_check_on(struct axidma_dev *d, uint32_t ch, struct axidma_buf *s, struct axidma_buf *t);
int smaps_flags(void *addr, char *out, size_t n);
/* Reads one byte at p: 1 if that raised SIGBUS or SIGSEGV (a revoked mapping), else 0. */
int read_faults(const volatile uint8_t *p);

/* The test-only loopback provider (test-provider/) and its client node's tx/rx channels. */

struct loop {
	struct axidma_dev d;
	int tx, rx;
};

int loop_open(struct loop *l);
int64_t submit_rx(struct loop *l, struct axidma_buf *b, uint64_t off, uint64_t len, uint64_t ud);

/* Shared between areas: close_busy (files.c) ends with memcpy_within (memcpy.c). */
int t_memcpy_within(void);

/* The registry. */
struct test {
	const char *name;
	int (*fn)(void);
	int in_all; /* run when no test is named */
};

/* Each area's table, { 0 }-terminated; main.c lists them in the suite's order. */
extern const struct test basics_tests[], memcpy_tests[], mmap_tests[], nonblocking_tests[], files_tests[],
	cached_tests[], usermem_tests[], dmabuf_tests[], hold_tests[], slave_tests[], loopback_tests[], stream_tests[], axi_tests[];

/* Runs one test and prints "ok NAME" or "not ok NAME: why"; returns 1 if it failed. */
int run_test(const struct test *t);

#endif
