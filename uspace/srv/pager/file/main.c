/*
 * fpager: the file pager (abi/fpager.h is the protocol, docs/file-pager.md
 * the guide).  Started by init (and restarted by it), or by the kernel in
 * a test run with the word "fs".
 *
 * It holds the one cached copy of every file page of every mounted volume
 * (cache.c), serves the VFS's reads and writes of regular files from it
 * (io.c, vfsreq.c), answers page-ins of mapped files (map.c, shared;
 * map_private.c, copy-on-write), reads ahead of forward walks (ra.c) and
 * writes dirty pages back (wb.c).  Volumes and their connections: vol.c.
 * Registered as the pager role PAGER_ROLE_FILE: a successor started by
 * init takes the mappings over (map.c fp_map_adopt), and the kernel's
 * low-memory notices reach it (cache.c fp_cache_low_memory).
 */
#include <stdio.h>
#include <string.h>
#include <sys.h>
#include <thread.h>

#include "fpager.h"

#define FP_POOL_MIN 256u
#define FP_POOL_MAX 32768u /* 128 MiB */

static void fp_client_call(ipc_event_t *ev)
{
	if (ev->conn == FPAGER_VFS_BADGE)
		fp_vfs_call(ev);
	else if (ev->msg.method == FP_RA_KICK)
		fp_ra_kick(ev);
	else
		fp_map_client_call(ev);
}

/* Ready to serve: the VFS gets our phone; read-ahead connects to us. */
static void fp_ready(void)
{
	tid_t tid;
	fp_vfs_attach();
	fp_cache_restat(); /* what the VFS changed while it served files itself */
	if (thread_create(fp_ra_connect, NULL, &tid) != EOK)
		printf("fpager: no read-ahead: no thread\n");
}

/* The kernel's low-memory notice: dirty pages written back, then clean
 * ones evicted and their memory given back. */
static void fp_low_memory(const pager_low_memory_t *lm)
{
	size_t n = fp_cache_low_memory(lm->wanted);
	printf("fpager: low memory (%llu of %llu frames free): %zu cached pages given back\n",
	    (unsigned long long) lm->free, (unsigned long long) lm->total, n);
}

static const pager_ops_t fp_ops = {
	.page_in = fp_map_page_in,
	.object_ref = fp_map_object_ref,
	.object_free = fp_map_object_free,
	.client_call = fp_client_call,
	.share_out = fp_vfs_share_out,
	.role = PAGER_ROLE_FILE,
	.object_adopt = fp_map_adopt,
	.low_memory = fp_low_memory,
	.ready = fp_ready,
};

/* Half the memory, within [FP_POOL_MIN, FP_POOL_MAX] pages: the pool is
 * address space; its pages take frames when they are filled, and give
 * them back on the kernel's low-memory notice. */
static size_t fp_pool_pages(void)
{
	mem_stats_t ms;
	size_t pages = FP_POOL_MIN;
	if (mem_stats(&ms) == EOK)
		pages = ms.total_frames / 2;
	if (pages < FP_POOL_MIN)
		pages = FP_POOL_MIN;
	if (pages > FP_POOL_MAX)
		pages = FP_POOL_MAX;
	return pages;
}

int main(void)
{
	size_t pages = fp_pool_pages();
	errno_t rc = fp_cache_init(pages);
	if (rc == EOK)
		rc = fp_vfs_register();
	tid_t tid;
	if (rc == EOK)
		rc = thread_create(fp_wb_thread, NULL, &tid);
	if (rc != EOK) {
		printf("fpager: cannot start: %s\n", str_error_name(rc));
		return 1;
	}
	printf("fpager: serving; a cache of %zu pages (%zu KiB)\n", pages, pages * 4);
	rc = pager_serve(FPAGER_NAME, &fp_ops, FP_THREADS);
	printf("fpager: stopped: %s\n", str_error_name(rc));
	return 1;
}
