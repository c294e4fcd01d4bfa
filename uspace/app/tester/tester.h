/*
 * The user test suite.  Shared between the test files: the addresses the
 * misbehaving children touch (the child is this same program, linked at
 * the same address, so parent and child agree on them) and helpers.
 */
#ifndef TESTER_H_
#define TESTER_H_

#include <abi/task.h>
#include <anon.h>
#include <as.h>
#include <bench/window.h>
#include <errno.h>
#include <ipc.h>
#include <stdbool.h>
#include <stdint.h>

#define TESTER_MODULE "tester"

/* A user address no area covers (tests never create areas there). */
#define ADDR_UNMAPPED 0x0000500000000000UL
/* What the "unmapped" child reads (not page aligned on purpose). */
#define CHILD_UNMAPPED_ADDR (ADDR_UNMAPPED + 0x123)
/* Where children and tests create fixed areas. */
#define CHILD_FIXED_ADDR 0x0000600000000000UL
#define TEST_FIXED_ADDR 0x0000610000000000UL
/* The start of the kernel half, and the first non-canonical address. */
#define ADDR_KERNEL 0xffff800000000000UL
#define ADDR_NONCANONICAL AS_USER_TOP
/* What the "kernel" child reads. */
#define CHILD_KERNEL_ADDR (ADDR_KERNEL + 0x40)

#define RW (AS_AREA_READ | AS_AREA_WRITE)

/* The device ranges the recipe grants the tester (boot/meson.build) when
 * the kernel starts it (utest=), at these handles. */
#define TESTER_CAP_IO_CMOS 1 /* ports 0x70-0x71 */
#define TESTER_CAP_IO_SCRATCH 2 /* port 0x3ff, COM1's scratch register */
#define TESTER_CAP_IRQ 3 /* line 15 */
#define TESTER_CAP_PHYS 4 /* 0xc0000000 + 0x4000 */
#define TESTER_CAP_LOWMEM 5 /* physical 0xb8000 + 0x48000: VGA text memory to the BIOS's end */
#define TESTER_CAP_IO_PCI 6 /* 0xcf8 + 8: PCI configuration mechanism 1 */
#define TESTER_CAP_IO_PCIDEV 7 /* 0xc000 + 0x100: where the IDE controller's BAR4 lies */
#define TESTER_CAP_IRQ5 8 /* line 5, for the IRQ tests (test_irq.c finds it by kind) */
#define TESTER_CAP_IRQ8 9 /* line 8, the CMOS clock's: test_irq.c's real interrupt */
#define TESTER_PHYS_BASE 0xc0000000ULL

/* In .rodata: the "write-ro" child writes child_ro_target[1]. */
extern const int child_ro_target[4];
/* In .data (never executable): the "exec-nx" child calls it. */
extern unsigned char child_nx_code[16];

/* test_anon.c: make threads with memory nearly gone. */
int child_threads_low_memory(int argc, char **argv);
int child_anon_narrow_rights(int argc, char **argv);
/* test_anon.c: binds, hangs its pager connection up at once, touches. */
int child_anon_hangup_race(int argc, char **argv);
/* test_loader.c: a program's handles on entering main. */
int child_handles(int argc, char **argv);
int child_ns_abandon(int argc, char **argv);
/* test_mman.c: a store to a mapping made read-only with mprotect. */
int child_mman_protect(int argc, char **argv);
/* test_irq.c: IRQ subscriptions without and with the capability. */
int child_irq_nocap(int argc, char **argv);
int child_irq_hold(int argc, char **argv);
int child_irq_rtc(int argc, char **argv);
/* test_pager_role.c: the role pager and its client. */
int child_rpager(int argc, char **argv);
int child_rpager_client(int argc, char **argv);
int child_rpager_writer(int argc, char **argv);
int child_rpager_crafted(int argc, char **argv);
/* Run "tester ARGS" as a child (args start with "child:"). */
int child_main(int argc, char **argv);
/* Spawn this program with @a args and wait for it. */
errno_t child_run(const char *args, task_exit_info_t *info);
/* Free frames now (0 if the kernel refused). */
uint64_t frames_free(void);
/* The free frames once nothing else is changing them: tasks, threads and
 * free frames the same in two samples 20 ms apart (at most 1 s), so a
 * server still starting a thread is not counted against a test. */
uint64_t frames_baseline(void);
/* Free frames once they are back to @a want (waiting for the kernel to
 * finish freeing, up to about five seconds); the last count read. */
uint64_t frames_settle(uint64_t want);
/* The anon pager's object count once it is at most @a want (the UNREFs of
 * destroyed areas arrive after the unmap returns; up to about a second);
 * UINT64_MAX if the pager did not answer.  The count is for every task:
 * others (init, children of earlier tests) may end meanwhile and take it
 * below @a want, so tests check that it is not above, not that it is equal. */
uint64_t anon_objects_settle(uint64_t want);
/* The file pager's five counters of @a group (abi/fpager.h FPAGER_STATS_*)
 * into @a v; false if no file pager answers. */
bool fpager_stats(unsigned group, uint64_t v[5]);

/* ledger.c: where the frames are, by owner, at one moment. */
#define LEDGER_TASKS 64
typedef struct ledger_task {
	task_id_t id;
	char name[TASK_NAME_MAX];
	uint64_t wired; /* pages of its wired areas */
	uint64_t paged; /* pages mapped in its pager-backed areas */
	uint64_t areas;
	uint64_t page_tables; /* frames of its page tables */
	uint64_t threads;
	uint64_t handles;
} ledger_task_t;
typedef struct frames_ledger {
	mem_stats_t mem; /* free frames, and the frames in use by kind */
	anon_stats_t anon; /* the anon pager's blocks and data pages */
	uint64_t fp_cached; /* the file pager's cache pages holding data */
	size_t ntasks;
	ledger_task_t task[LEDGER_TASKS];
} frames_ledger_t;
errno_t frames_ledger_take(frames_ledger_t *l);
/* "# WHAT: ..." and the changes from @a a to @a b, by owner. */
void frames_ledger_print(const char *what, const frames_ledger_t *a, const frames_ledger_t *b);
/* The frames in use at @a b that were not at @a a, slabs aside (a slab
 * page holds kernel objects, which a leak check counts instead: the same
 * objects may lie in more or fewer slabs after a churn). */
int64_t frames_ledger_kept(const frames_ledger_t *a, const frames_ledger_t *b);
/* The kernel objects live at @a b that were not at @a a, B+tree nodes
 * aside: malloc's (a task's, an area's, a capability's records) and IPC
 * calls.  A B+tree node holds keys -- areas, each a malloc object too,
 * and runs of mapped pages, which hold frames -- and how many nodes a
 * tree of the same keys takes depends on the order they came and went
 * (two more after hw_loader_refusals' 38 spawns, once in eight runs). */
int64_t frames_ledger_objects_kept(const frames_ledger_t *a, const frames_ledger_t *b);
/* *after once nothing is kept since @a before (frames_ledger_kept and
 * frames_ledger_objects_kept <= 0; tasks, threads and handles no more
 * than then), waiting up to about five seconds for the servers and the
 * kernel to finish freeing; the last ledger taken otherwise. */
errno_t frames_ledger_settle(const frames_ledger_t *before, frames_ledger_t *after);

/*
 * IPC and pager tests (test_ipc.c, test_share.c, test_pager.c).  Their
 * children are in child_ipc.c; the helpers in ipc_util.c.
 */

/* The test server: "tester child:server NAME" registers NAME and serves
 * these methods (and connect, data write/read, share out/in) with
 * TS_THREADS threads. */
#define TS_THREADS 4
enum {
	TS_PING = IPC_M_FIRST_USER, /* arg0 -> arg0 + 1, arg1 = server task id */
	TS_CONN, /* -> arg0 = ev.conn (the connection's badge) */
	TS_QUIT, /* answered, then the server exits 0 */
	TS_DIE, /* the server exits 3 without answering */
	TS_HOLD, /* never answered (the server keeps the call) */
	TS_SLEEP, /* answered after arg0 microseconds */
	TS_LIMIT, /* data write/read move at most arg0 bytes from now on */
	TS_MEM_READ, /* arg0 TS_MEM_*, arg1 offset -> arg0 the 64-bit word there */
	TS_MEM_WRITE, /* arg0 TS_MEM_*, arg1 offset, arg2 the word to write */
	TS_SHARE_WANT, /* share-outs are accepted asking for rights arg0 (0: as offered) */
	TS_STATS, /* -> arg0 the server's handles, arg1 its areas (task_stats) */
};
/* IPC_M_CAP_GIVE's arg[1] to the test server: */
#define TS_GIVE_DROP 0 /* accept, then drop the handle */
#define TS_GIVE_KEEP 1 /* accept and keep it: answer kind, base, size, handle */
#define TS_GIVE_REFUSE 2 /* answer EPERM */
#define TS_MEM_SHARED_OUT 0 /* the area we shared out to the server */
#define TS_MEM_SHARED_IN 1 /* the area the server gave us (share-in) */
/* The first word of every page of a share-in area, plus the page index. */
#define TS_SHARE_IN_PATTERN 0x5348415245494e00ULL

/* The test pager: "tester child:tpager MODE NAME" (lib/pager).  MODE is
 * what its page-in does: good (a page of its own with TP_PATTERN + page
 * index, read-only for a read, read/write for a write), slow (the same
 * after TP_SLOW_US), arearights (the same granting PAGE_IN_RIGHTS as
 * given), setsize (sets the object's size to the area's, then as good),
 * unmap-after (as good from a page it unmaps right after the answer),
 * error (EIO), unmapped, toomany, zeropages, rights, kernel, unaligned,
 * beyond, uncached (answers the kernel refuses), silent (never answers),
 * die (exits mid-fault), wprace (as good, but the first write page-in of
 * each page is answered writable and then write-protected at once: the
 * store must come back). */
enum {
	TP_CREATE = IPC_M_FIRST_USER, /* -> arg0 a new object id */
	TP_PING, /* -> arg0 page-ins seen so far, arg1 those marked PAGE_IN_SEQUENTIAL */
	TP_QUIT, /* answered, then the pager exits 0 */
	/* -> arg0 page-ins marked PAGE_IN_UPGRADE, arg1 PAGE_IN_MAPPED of the
	 * last, arg2 answers pager_supply() said were refused, arg3 client
	 * connections opened << 32 | closed, arg4 object_ref callbacks */
	TP_STATS,
	TP_HOG, /* take every free frame (wired areas), keep them: arg0 pages taken */
	/* pager_object_write_protect(arg0 object, arg1 offset, arg2 size):
	 * the answer's retval is its result, arg0 the TSC ticks it took (guest
	 * instructions under tools/qemu.sh --icount) */
	TP_PROTECT,
};
#define TP_PATTERN 0x7061676572000000ULL
#define TP_SLOW_US 500000
/* Where child:tpager-far binds its page: alone in its 512 GiB. */
#define TP_FAR_ADDR 0x0000700000000000UL
/* The area the test pager's client binds (pages). */
#define TP_AREA_PAGES 4

typedef struct test_server {
	char name[24];
	task_id_t task;
	cap_handle_t phone;
} test_server_t;

/* True if libc's memory is on the anon pager (else a note says so). */
bool pager_ready(void);
/* A name for a server of this test run, unique in the run (<= 16). */
void test_name_make(char *buf, size_t size, const char *tag);
/* Spawn "tester ARGS" where ARGS contains NAME and connect to NAME. */
errno_t test_server_spawn(test_server_t *s, const char *mode, const char *tag);
/* Start a test server ("child:server"). */
errno_t test_server_start(test_server_t *s);
/* A request with one argument, sent again while the server's box is full
 * (ELIMIT: a pager's box also holds the kernel's notices to it, e.g. the
 * UNREFs of thousands of areas just destroyed), for up to 5 s. */
errno_t test_request(cap_handle_t phone, uint64_t method, uint64_t a0, ipc_msg_t *ans);
/* Send @a method (TS_QUIT/TP_QUIT, test_request), wait for the task, hang
 * up.  A server the request did not reach (its box stayed full) is killed,
 * with a note, rather than waited for forever. */
void test_server_stop(test_server_t *s, uint64_t method, task_exit_info_t *info);

/* A phone to this very task (the tester registers itself with ns once;
 * each call makes a new connection).  Calls through it arrive in our own
 * answerbox with ev.conn == SELF_BADGE. */
#define SELF_BADGE 0x5e1fULL
errno_t self_phone_open(cap_handle_t *phone);
/* Hang it up and take the hangup notice it leaves in our box. */
void self_phone_close(cap_handle_t phone);
/* Take (and drop) the events in our box until none came for @a quiet_us:
 * the hangup notices ns leaves when it drops its phones to us. */
void events_drain(uint64_t quiet_us);
/* The next event in our box other than a hangup notice (ETIMEOUT after
 * @a timeout_us). */
errno_t self_event_wait(ipc_event_t *ev, uint64_t timeout_us);

/* Children of the IPC tests (child_ipc.c); 0 if @a argv[0] is not one. */
int child_ipc_main(int argc, char **argv, bool *found);
/* The block protocol's RAM disk server (test_block.c). */
int child_block_main(int argc, char **argv, bool *found);
/* The mixed fast/slow path server (test_fastpath.c). */
int child_mixsrv(int argc, char **argv);
/* The fuzz soak: "tester fuzz:SPEC" (test_fuzz.c). */
int fuzz_soak_main(const char *spec);
/* Children of the limit tests (test_limits.c); 0 if not one. */
int child_limits_main(int argc, char **argv, bool *found);
/* test_exec.c: "child:exec-hostile". */
int child_exec_main(int argc, char **argv, bool *found);
/* Children of the capability and I/O-port tests (test_cap.c, test_ioport.c). */
int child_cap_main(int argc, char **argv, bool *found);
int child_ioport_main(int argc, char **argv, bool *found);
int child_devman_main(int argc, char **argv, bool *found);

#endif
