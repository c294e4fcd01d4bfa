/* Tasks and threads as user space sees them. */
#ifndef ABI_TASK_H_
#define ABI_TASK_H_

#include <abi/layout.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t task_id_t;
typedef uint64_t tid_t;

/* A task's name (the module it runs) holds at most TASK_NAME_MAX - 1
 * bytes. */
#define TASK_NAME_MAX 32

/* Why a task ended (task_exit_info_t.reason). */
#define TASK_EXIT_NORMAL 1 /* it called SYS_TASK_EXIT; status is valid */
#define TASK_EXIT_FAULT 2 /* killed by an unresolved fault */
#define TASK_EXIT_KILLED 3 /* killed for another reason */

/* Access kinds of a fault (task_exit_info_t.fault_access). */
#define FAULT_ACCESS_READ 1
#define FAULT_ACCESS_WRITE 2
#define FAULT_ACCESS_EXEC 3

typedef struct task_exit_info {
	unsigned reason; /* TASK_EXIT_* */
	int status; /* exit status for TASK_EXIT_NORMAL */
	uintptr_t fault_addr; /* TASK_EXIT_FAULT: faulting address */
	unsigned fault_access; /* FAULT_ACCESS_* */
	unsigned fault_in_area; /* 1 if the address was in an area (rights broken) */
	uintptr_t fault_ip; /* instruction pointer of the fault */
	tid_t fault_thread;
	char message[96]; /* the one-line report, NUL-terminated */
	/* TASK_EXIT_KILLED by SYS_TASK_KILL or SYS_TASK_KILL_RIGHT: the task
	 * that killed it (the message says whether as the parent or holding
	 * the right); else 0 */
	task_id_t killed_by;
} task_exit_info_t;

ABI_SIZE(task_exit_info_t, 144);
ABI_FIELD(task_exit_info_t, reason, 0);
ABI_FIELD(task_exit_info_t, status, 4);
ABI_FIELD(task_exit_info_t, fault_addr, 8);
ABI_FIELD(task_exit_info_t, fault_access, 16);
ABI_FIELD(task_exit_info_t, fault_in_area, 20);
ABI_FIELD(task_exit_info_t, fault_ip, 24);
ABI_FIELD(task_exit_info_t, fault_thread, 32);
ABI_FIELD(task_exit_info_t, message, 40);
ABI_FIELD(task_exit_info_t, killed_by, 136);

/*
 * Task control.  A task may be ended early (SYS_TASK_KILL) by its parent,
 * or by any task that holds the right to it: a capability (CAP_KIND_TASK,
 * abi/ddi.h) that only the parent can make (SYS_TASK_RIGHT) and that is
 * passed on like a range: at spawn (task_spawn_t.caps) or over IPC
 * (IPC_M_CAP_GIVE), by the parent or by any holder, and dropped with
 * SYS_CAP_DROP.  The holder kills with SYS_TASK_KILL_RIGHT.  A right names
 * one task for good (task ids are never reused): once that task is reaped,
 * using it is ENOENT.  The end report (task_exit_info_t) says who killed
 * the task (killed_by) and, in its message, whether as the parent or
 * holding the right.  Waiting for the task stays the parent's.
 */

/*
 * What a new task finds: rdi points to this block (on its stack) when it
 * starts at its ELF entry point.  argv strings follow the block.
 */
typedef struct task_startup {
	uint64_t argc;
	char **argv;
	task_id_t task_id;
	uintptr_t stack_base; /* the initial thread's stack area */
	size_t stack_size;
	uint64_t flags; /* TASK_STARTUP_* */
} task_startup_t;

/* task_startup_t.flags: the kernel started the task (a boot task, or the
 * module a utest=/bench= run starts), not another task.  Such a task is a
 * server that lives as long as the system: libc makes its heap at startup,
 * so its memory is taken once, at boot, not at some later first malloc. */
#define TASK_STARTUP_BOOT (1u << 0)
/* task_startup_t.flags: the kernel was booted with its test facilities on
 * (utest= or ipc_fail_inject on its command line: SYS_IPC_FAIL_INJECT and
 * SYS_IRQ_TEST_RAISE work).  Every task of such a boot has it.  A program
 * may honour test-only requests (abi/block.h: BLOCK_TEST_FAULT) then, and
 * never otherwise. */
#define TASK_STARTUP_TESTING (1u << 1)

ABI_SIZE(task_startup_t, 48);
ABI_FIELD(task_startup_t, argc, 0);
ABI_FIELD(task_startup_t, argv, 8);
ABI_FIELD(task_startup_t, task_id, 16);
ABI_FIELD(task_startup_t, stack_base, 24);
ABI_FIELD(task_startup_t, stack_size, 32);
ABI_FIELD(task_startup_t, flags, 40);

/* SYS_MEM_STATS: the whole machine's memory and kernel objects (for leak
 * checks: once every task a test made has ended and been reaped, each
 * count is back where it was). */
typedef struct mem_stats {
	uint64_t total_frames;
	uint64_t free_frames;
	uint64_t page_size;
	/* kernel objects live now (allocations, IPC calls, B+tree nodes):
	 * for leak checks, together with free_frames */
	uint64_t kernel_objects;
	uint64_t tasks; /* tasks not yet reaped */
	uint64_t threads; /* thread records, kernel threads included */
	uint64_t handles; /* capability handles in use, all tasks */
	/* frames of DMA buffers held back until their device is quiesced
	 * (abi/ddi.h, SYS_DMA_QUIESCE): not free, not anyone's */
	uint64_t dma_quarantined;
	/* The frames in use by what they hold (with free_frames they add up
	 * to total_frames): wired areas' pages (boot tasks' and pagers'
	 * memory; a page a pager supplied stays here while a client maps it),
	 * page tables, kernel stacks, slabs of kernel objects (a slab stays
	 * while one object in it lives), large kernel allocations, DMA
	 * buffers (quarantined ones too), and the rest (the profiler's
	 * buffer, kernel tests). */
	uint64_t frames_wired;
	uint64_t frames_page_tables;
	uint64_t frames_kernel_stacks;
	uint64_t frames_slab;
	uint64_t frames_kmalloc;
	uint64_t frames_dma;
	uint64_t frames_other;
	/* kernel_objects by kind: malloc's (records of tasks, areas,
	 * capabilities, ...), IPC calls, B+tree nodes (area trees, used
	 * space) */
	uint64_t objects_malloc;
	uint64_t objects_calls;
	uint64_t objects_btree;
} mem_stats_t;

ABI_SIZE(mem_stats_t, 144);
ABI_FIELD(mem_stats_t, total_frames, 0);
ABI_FIELD(mem_stats_t, free_frames, 8);
ABI_FIELD(mem_stats_t, page_size, 16);
ABI_FIELD(mem_stats_t, kernel_objects, 24);
ABI_FIELD(mem_stats_t, tasks, 32);
ABI_FIELD(mem_stats_t, threads, 40);
ABI_FIELD(mem_stats_t, handles, 48);
ABI_FIELD(mem_stats_t, dma_quarantined, 56);
ABI_FIELD(mem_stats_t, frames_wired, 64);
ABI_FIELD(mem_stats_t, frames_page_tables, 72);
ABI_FIELD(mem_stats_t, frames_kernel_stacks, 80);
ABI_FIELD(mem_stats_t, frames_slab, 88);
ABI_FIELD(mem_stats_t, frames_kmalloc, 96);
ABI_FIELD(mem_stats_t, frames_dma, 104);
ABI_FIELD(mem_stats_t, frames_other, 112);
ABI_FIELD(mem_stats_t, objects_malloc, 120);
ABI_FIELD(mem_stats_t, objects_calls, 128);
ABI_FIELD(mem_stats_t, objects_btree, 136);

/* SYS_TASK_STATS: what the calling task holds in the kernel now. */
typedef struct task_stats {
	uint64_t handles; /* capability handles in use */
	uint64_t areas; /* address-space areas */
	uint64_t resident; /* pages mapped in them */
	uint64_t threads;
	uint64_t calls_waiting; /* calls queued at its box, not yet received */
	uint64_t calls_outstanding; /* asynchronous calls it made, not yet collected */
} task_stats_t;

ABI_SIZE(task_stats_t, 48);
ABI_FIELD(task_stats_t, handles, 0);
ABI_FIELD(task_stats_t, areas, 8);
ABI_FIELD(task_stats_t, resident, 16);
ABI_FIELD(task_stats_t, threads, 24);
ABI_FIELD(task_stats_t, calls_waiting, 32);
ABI_FIELD(task_stats_t, calls_outstanding, 40);

/*
 * Looking at tasks.  SYS_TASK_LIST describes every task not yet reaped
 * (task_info_t), to any task: what runs and how much memory it holds is
 * no secret on this system (ps shows it, as every Unix does).
 * SYS_TASK_AREA_LIST lists the areas of one task (task_area_info_t,
 * abi/as.h): where its code, data and buffers lie and which pager
 * objects back them, which tells another task what to aim at, so only
 * these may read them:
 *  - the task itself;
 *  - its parent;
 *  - a task that holds the right to it (CAP_KIND_TASK, "Task control"
 *    above): whoever may end a task may look inside it.
 * Anyone else is refused with EPERM.  The shell hands the right to a job
 * it runs in the background to the program it starts with that job's id
 * among its arguments ("areas 12", "kill 12"; README, "A first
 * session"), so a person at the shell can look at and stop what the
 * shell started, and at nothing else (the servers' areas stay theirs).
 */

/* task_info_t.state */
#define TASK_STATE_RUNNING 1 /* at least one thread has not exited */
#define TASK_STATE_EXITING 2 /* it was ended; its threads are stopping */
#define TASK_STATE_ZOMBIE 3 /* ended, its memory freed; waits for its parent */

/* task_info_t.parent of a task whose parent ended before it */
#define TASK_PARENT_GONE ((task_id_t) -1)

/* SYS_TASK_LIST: one task.  The memory fields are 0 for a zombie. */
typedef struct task_info {
	task_id_t id;
	task_id_t parent; /* 0: the kernel started it; or TASK_PARENT_GONE */
	char name[TASK_NAME_MAX]; /* the module it runs, NUL-terminated */
	uint32_t state; /* TASK_STATE_* */
	uint32_t threads; /* threads that have not exited */
	uint64_t handles; /* capability handles in use */
	uint64_t areas; /* address-space areas */
	uint64_t vsize; /* bytes in them */
	/* pages mapped now, by the backend of their area (AS_BACKEND_*) */
	uint64_t resident_wired;
	uint64_t resident_phys;
	uint64_t resident_pager;
	uint64_t resident_dma;
	uint64_t page_tables; /* frames its page tables take (the root's too) */
} task_info_t;

ABI_SIZE(task_info_t, 120);
ABI_FIELD(task_info_t, id, 0);
ABI_FIELD(task_info_t, parent, 8);
ABI_FIELD(task_info_t, name, 16);
ABI_FIELD(task_info_t, state, 48);
ABI_FIELD(task_info_t, threads, 52);
ABI_FIELD(task_info_t, handles, 56);
ABI_FIELD(task_info_t, areas, 64);
ABI_FIELD(task_info_t, vsize, 72);
ABI_FIELD(task_info_t, resident_wired, 80);
ABI_FIELD(task_info_t, resident_phys, 88);
ABI_FIELD(task_info_t, resident_pager, 96);
ABI_FIELD(task_info_t, resident_dma, 104);
ABI_FIELD(task_info_t, page_tables, 112);

/* SYS_TASK_SPAWN(const task_spawn_t *spec, task_id_t *out): start boot
 * module @a module (its name, module_len bytes, no NUL) with the
 * arguments @a args: args_len bytes holding argv[1], argv[2], ... each
 * ending in a NUL, as they are (argv[0] is the module's name; an empty
 * argument is one NUL; args_len 0: none).  At most TASK_SPAWN_ARGS_MAX
 * bytes and TASK_SPAWN_ARGV_MAX arguments in all (ELIMIT beyond); a
 * block whose last byte is not a NUL is EINVAL.  The new task gets new
 * handles to the
 * objects of caps[0..ncaps) at its handles 1..ncaps, in order (only
 * ranges can be passed on; at most TASK_SPAWN_CAPS_MAX).  A handle the
 * caller does not hold is ENOENT/ESTALE, one that cannot be passed on
 * (a phone, a call) EINVAL: nothing is started. */
typedef struct task_spawn {
	const char *module;
	uint64_t module_len;
	const char *args;
	uint64_t args_len;
	const int32_t *caps; /* cap_handle_t[ncaps] */
	uint64_t ncaps;
} task_spawn_t;

ABI_SIZE(task_spawn_t, 48);
ABI_FIELD(task_spawn_t, module, 0);
ABI_FIELD(task_spawn_t, module_len, 8);
ABI_FIELD(task_spawn_t, args, 16);
ABI_FIELD(task_spawn_t, args_len, 24);
ABI_FIELD(task_spawn_t, caps, 32);
ABI_FIELD(task_spawn_t, ncaps, 40);

#define TASK_SPAWN_CAPS_MAX 16
#define TASK_SPAWN_ARGS_MAX 4096 /* bytes of task_spawn_t.args */
#define TASK_SPAWN_ARGV_MAX 64 /* arguments, argv[0] included */

/*
 * SYS_TASK_EXEC(const task_exec_t *spec): the last step of a loader that
 * runs inside the task it loads (docs/loader.md).  The calling task
 * becomes the program the loader laid out in it:
 *  - every area but those at keep[0..nkeep) (their bases) is destroyed:
 *    the loader's code, data, heap and stacks go;
 *  - every capability handle but IPC_PHONE_NS and those at
 *    keep_caps[0..nkeep_caps) is dropped (phones hung up): the loader's
 *    connections go, the handles the program was given stay;
 *  - the task is named @a name (name_len bytes, 1 .. TASK_NAME_MAX - 1,
 *    no NUL);
 *  - the calling thread continues at @a entry with rsp = @a stack_top,
 *    rdi = @a arg, every other register 0, the flags and the FPU as a new
 *    thread's.
 * Checked first, with nothing changed on refusal: EBUSY (the task has
 * another thread), EINVAL (a base that is no area's, a handle the task
 * does not hold, a bad name, more than TASK_EXEC_KEEP_MAX of either, an
 * entry outside every kept executable area, a stack_top not 16-byte
 * aligned or whose 16 bytes below are not in a kept writable area),
 * EFAULT (an unreadable spec, list or name).  On success it does not
 * return to the caller's code.
 */
typedef struct task_exec {
	uint64_t entry;
	uint64_t stack_top;
	uint64_t arg;
	const uint64_t *keep; /* area bases */
	uint64_t nkeep;
	const int32_t *keep_caps; /* cap_handle_t[nkeep_caps] */
	uint64_t nkeep_caps;
	const char *name;
	uint64_t name_len;
} task_exec_t;

ABI_SIZE(task_exec_t, 72);
ABI_FIELD(task_exec_t, entry, 0);
ABI_FIELD(task_exec_t, stack_top, 8);
ABI_FIELD(task_exec_t, arg, 16);
ABI_FIELD(task_exec_t, keep, 24);
ABI_FIELD(task_exec_t, nkeep, 32);
ABI_FIELD(task_exec_t, keep_caps, 40);
ABI_FIELD(task_exec_t, nkeep_caps, 48);
ABI_FIELD(task_exec_t, name, 56);
ABI_FIELD(task_exec_t, name_len, 64);

#define TASK_EXEC_KEEP_MAX 32

/* Threads one task may hold: those running and those that ended but were
 * not joined yet (each keeps its kernel stack until then).  One more is
 * ELIMIT.  A thread costs the kernel about 17.5 KiB (kernel stack, record,
 * FPU state), so a task costs at most about 4.4 MiB in threads
 * (docs/architecture.md, "Per-task limits"). */
#define TASK_THREADS_MAX 256

#endif
