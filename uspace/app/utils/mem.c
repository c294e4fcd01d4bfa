/* mem: the machine's frames (free, total, and those in use by what they
 * hold) and kernel objects, and what the anon pager holds.  (The file
 * pager's figures come with it.) */
#include <anon.h>
#include <errno.h>
#include <stdio.h>
#include <sys.h>

int main(void)
{
	mem_stats_t m;
	errno_t rc = mem_stats(&m);
	if (rc != EOK) {
		fprintf(stderr, "mem: %s\n", str_error(rc));
		return 1;
	}
	printf("frames: %llu free of %llu (%llu KiB free), %llu held for DMA quarantine\n",
	    (unsigned long long) m.free_frames, (unsigned long long) m.total_frames,
	    (unsigned long long) (m.free_frames * m.page_size / 1024),
	    (unsigned long long) m.dma_quarantined);
	printf("in use: %llu wired, %llu page tables, %llu kernel stacks, %llu slab, "
	       "%llu kmalloc, %llu dma, %llu other\n",
	    (unsigned long long) m.frames_wired, (unsigned long long) m.frames_page_tables,
	    (unsigned long long) m.frames_kernel_stacks, (unsigned long long) m.frames_slab,
	    (unsigned long long) m.frames_kmalloc, (unsigned long long) m.frames_dma,
	    (unsigned long long) m.frames_other);
	printf("kernel: %llu tasks, %llu threads, %llu handles, %llu objects\n",
	    (unsigned long long) m.tasks, (unsigned long long) m.threads,
	    (unsigned long long) m.handles, (unsigned long long) m.kernel_objects);
	anon_stats_t a;
	cap_handle_t anon = anon_phone();
	rc = anon == CAP_NIL ? ENOENT : anon_stats_get(anon, &a);
	if (rc != EOK) {
		printf("anon pager: %s\n", str_error(rc));
		return 0;
	}
	printf("anon pager: %llu objects, %llu resident pages, %llu frames held, "
	       "%llu faults served, %llu copy-on-write copies\n",
	    (unsigned long long) a.objects, (unsigned long long) a.resident,
	    (unsigned long long) a.frames, (unsigned long long) a.faults,
	    (unsigned long long) a.cow_copies);
	return 0;
}
