/*
 * Host unit test of the block protocol's request checks
 * (uspace/lib/block/src/check.c): every rule of abi/block.h, its order,
 * and the edges (the last block, the end of the buffer, the largest
 * transfer, sums that would overflow).
 */
#include <block/block.h>

#include "tap.h"

static const block_geom_t disk = {
	.block_size = 512, .blocks = 8192, .flags = 0, .xfer_max = 65536
};
static const block_geom_t ro = {
	.block_size = 4096, .blocks = 100, .flags = BLOCK_F_READONLY, .xfer_max = 1 << 20
};

static bool test_good(void)
{
	TAP_CHECK_EQ(block_req_check(&disk, BLOCK_READ, 0, 1, 0, 4096), EOK);
	TAP_CHECK_EQ(block_req_check(&disk, BLOCK_WRITE, 8191, 1, 3584, 4096), EOK);
	TAP_CHECK_EQ(block_req_check(&disk, BLOCK_READ, 8064, 128, 0, 65536), EOK);
	TAP_CHECK_EQ(block_req_check(&disk, BLOCK_READ, 0, 128, 65536, 1 << 20), EOK);
	TAP_CHECK_EQ(block_req_check(&ro, BLOCK_READ, 99, 1, 0, 4096), EOK);
	TAP_CHECK_EQ(block_req_check(&ro, BLOCK_READ, 0, 100, 0, 1 << 20), EOK);
	TAP_CHECK_EQ(block_req_check(&disk, BLOCK_FLUSH, 0, 0, 0, 0), EOK);
	TAP_CHECK_EQ(block_req_check(&ro, BLOCK_INFO, 0, 0, 0, 0), EOK);
	return true;
}

static bool test_bad(void)
{
	/* Read-only. */
	TAP_CHECK_EQ(block_req_check(&ro, BLOCK_WRITE, 0, 1, 0, 4096), EPERM);
	/* No buffer. */
	TAP_CHECK_EQ(block_req_check(&disk, BLOCK_READ, 0, 1, 0, 0), ENOENT);
	/* Zero and oversize lengths. */
	TAP_CHECK_EQ(block_req_check(&disk, BLOCK_READ, 0, 0, 0, 4096), EINVAL);
	TAP_CHECK_EQ(block_req_check(&disk, BLOCK_READ, 0, 129, 0, 1 << 20), EINVAL);
	TAP_CHECK_EQ(block_req_check(&disk, BLOCK_READ, 0, UINT64_MAX, 0, 1 << 20), EINVAL);
	TAP_CHECK_EQ(block_req_check(&disk, BLOCK_READ, 0, 1ull << 55, 0, 1 << 20), EINVAL);
	/* Misaligned or outside the buffer. */
	TAP_CHECK_EQ(block_req_check(&disk, BLOCK_READ, 0, 1, 1, 4096), EINVAL);
	TAP_CHECK_EQ(block_req_check(&disk, BLOCK_READ, 0, 1, 256, 4096), EINVAL);
	TAP_CHECK_EQ(block_req_check(&disk, BLOCK_READ, 0, 1, 4096, 4096), EINVAL);
	TAP_CHECK_EQ(block_req_check(&disk, BLOCK_READ, 0, 2, 3584, 4096), EINVAL);
	TAP_CHECK_EQ(block_req_check(&disk, BLOCK_READ, 0, 1, UINT64_MAX - 511, 4096), EINVAL);
	TAP_CHECK_EQ(block_req_check(&ro, BLOCK_READ, 0, 1, 512, 8192), EINVAL);
	/* Past the end. */
	TAP_CHECK_EQ(block_req_check(&disk, BLOCK_READ, 8192, 1, 0, 4096), ERANGE);
	TAP_CHECK_EQ(block_req_check(&disk, BLOCK_WRITE, 8191, 2, 0, 4096), ERANGE);
	TAP_CHECK_EQ(block_req_check(&disk, BLOCK_READ, UINT64_MAX, 1, 0, 4096), ERANGE);
	TAP_CHECK_EQ(block_req_check(&ro, BLOCK_READ, 100, 1, 0, 4096), ERANGE);
	/* Unknown methods. */
	TAP_CHECK_EQ(block_req_check(&disk, BLOCK_FLUSH + 1, 0, 1, 0, 4096), ENOTSUP);
	TAP_CHECK_EQ(block_req_check(&disk, IPC_M_SHARE_IN, 0, 1, 0, 4096), ENOTSUP);
	return true;
}

static bool test_order(void)
{
	/* Everything wrong at once: the first rule's error wins. */
	TAP_CHECK_EQ(block_req_check(&ro, BLOCK_WRITE, 1000, 0, 1, 0), EPERM);
	TAP_CHECK_EQ(block_req_check(&ro, BLOCK_READ, 1000, 0, 1, 0), ENOENT);
	TAP_CHECK_EQ(block_req_check(&ro, BLOCK_READ, 1000, 0, 1, 4096), EINVAL);
	TAP_CHECK_EQ(block_req_check(&ro, BLOCK_READ, 1000, 1, 0, 4096), ERANGE);
	return true;
}

int main(void)
{
	static const tap_case_t cases[] = {
		{ "good", test_good },
		{ "bad", test_bad },
		{ "order", test_order },
	};
	return tap_run(cases, sizeof(cases) / sizeof(cases[0]));
}
