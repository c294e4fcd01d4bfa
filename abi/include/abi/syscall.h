/*
 * System call numbers and calling convention (amd64).
 *
 * A user thread executes `syscall` with the number in rax and up to six
 * arguments in rdi, rsi, rdx, r10, r8, r9.  The result comes back in rax:
 * an errno_t for every call below except SYS_THREAD_ID and SYS_TASK_ID
 * (which return the id) and the calls that do not return.  rcx and r11 are
 * clobbered (the CPU uses them); every other register is preserved, except
 * by the IPC register calls (SYS_IPC_CALL_SYNC, SYS_IPC_REPLY_WAIT), which
 * take and return a message in more registers (abi/ipc.h).
 *
 * Arguments that are pointers are user addresses; the kernel validates
 * them and copies through copy_from/to_uspace, so a bad pointer gives
 * EFAULT (or EINVAL for a kernel-half address) and changes nothing.
 */
#ifndef ABI_SYSCALL_H_
#define ABI_SYSCALL_H_

#include <stdint.h>

/* One system call argument or result register (rax, rdi, ...): the type
 * both the kernel's handlers and libc's syscall stubs use. */
typedef uint64_t sysarg_t;

enum {
	SYS_KCONSOLE_WRITE = 0, /* (const char *buf, size_t len) */
	SYS_THREAD_CREATE, /* (entry, stack_top, arg, tid_t *out): the page below stack_top gets its memory first (its pager's error, e.g. ENOMEM; EINVAL if in no area) */
	SYS_THREAD_EXIT, /* (int status): does not return */
	SYS_THREAD_JOIN, /* (tid_t tid, int *status_out) */
	SYS_THREAD_YIELD, /* () */
	SYS_THREAD_SLEEP, /* (uint64_t usec) */
	SYS_THREAD_ID, /* () -> tid_t */
	SYS_TASK_EXIT, /* (int status): does not return */
	SYS_TASK_ID, /* () -> task_id_t */
	SYS_TASK_SPAWN, /* (const task_spawn_t *spec, task_id_t *out): abi/task.h */
	SYS_TASK_WAIT, /* (task_id_t id, task_exit_info_t *out) */
	SYS_AS_AREA_CREATE, /* (uintptr_t base, size_t size, unsigned flags, uintptr_t *base_out) */
	SYS_AS_AREA_DESTROY, /* (uintptr_t base) */
	SYS_AS_AREA_RESIZE, /* (uintptr_t base, size_t new_size) */
	SYS_AS_AREA_UNMAP, /* (uintptr_t addr, size_t size) */
	SYS_AS_AREA_PROTECT, /* (uintptr_t addr, size_t size, unsigned flags) */
	SYS_AS_AREA_QUERY, /* (uintptr_t addr, as_area_info_t *out) */
	SYS_AS_AREA_LIST, /* (as_area_info_t *out, size_t max, size_t *count_out) */
	SYS_UPTIME, /* (uint64_t *ns_out) */
	SYS_MEM_STATS, /* (mem_stats_t *out) */
	SYS_IPC_CALL, /* (cap_handle_t phone, const ipc_msg_t *msg, uint64_t cookie) */
	SYS_IPC_WAIT, /* (ipc_event_t *out, uint64_t timeout_us, unsigned flags, uint64_t cookie) */
	SYS_IPC_ANSWER, /* (cap_handle_t call, errno_t retval, ipc_msg_t *args) */
	SYS_IPC_FORWARD, /* (cap_handle_t call, cap_handle_t phone, const ipc_msg_t *msg, unsigned flags) */
	SYS_IPC_HANGUP, /* (cap_handle_t phone) */
	SYS_AS_AREA_CREATE_PAGER, /* (base, size, flags, const as_pager_spec_t *, uintptr_t *base_out) */
	SYS_PAGER_REVOKE, /* (uint64_t object, uint64_t offset, size_t size) */
	SYS_PAGER_SET_SIZE, /* (uint64_t object, uint64_t size) */
	SYS_IPC_CALL_SYNC, /* register call, abi/ipc.h */
	SYS_IPC_REPLY_WAIT, /* register call, abi/ipc.h */
	SYS_IPC_FAIL_INJECT, /* (method, hook, errno_t err, unsigned count): tests, abi/ipc.h */
	SYS_TASK_STATS, /* (task_stats_t *out) */
	/* Capabilities and I/O ports (Part B ddi-caps; abi/ddi.h, docs/drivers.md). */
	SYS_CAP_INFO, /* (cap_handle_t h, cap_info_t *out) */
	SYS_CAP_DERIVE, /* (cap_handle_t h, uint64_t base, uint64_t size, cap_handle_t *out) */
	SYS_CAP_DROP, /* (cap_handle_t h) */
	/* Device memory and DMA (issue 9 part A; abi/ddi.h, docs/drivers.md). */
	SYS_PHYS_MAP, /* (cap_handle_t phys_range, uint64_t offset, size_t size, unsigned flags, uintptr_t *base_out) */
	SYS_DMA_ALLOC, /* (cap_handle_t device, size_t size, uint64_t phys_limit, unsigned flags, dma_info_t *out) */
	SYS_DMA_MAP, /* (cap_handle_t dma, unsigned flags, uintptr_t *base_out) */
	SYS_IOPORT_ENABLE, /* (cap_handle_t io_range): in/out on its ports */
	/* Part C (ddi-irq): interrupts (abi/ddi.h) */
	SYS_IRQ_SUBSCRIBE, /* (cap_handle_t irq_range, unsigned line, sysarg_t imethod, sysarg_t arg, cap_handle_t *out) */
	SYS_IRQ_ACK, /* (cap_handle_t sub) */
	SYS_IRQ_TEST_RAISE, /* (cap_handle_t sub, unsigned times): tests, abi/ddi.h */
	SYS_KCONSOLE_READ, /* (cap_handle_t sub, void *buf, size_t size, size_t *count): abi/ddi.h */
	/* (task_id_t child): end a child of the caller (reason TASK_EXIT_KILLED,
	 * status -1, killed_by the caller); the parent still waits for it.
	 * ENOENT no such task, EPERM not the caller's child (a task that holds
	 * the right to it uses SYS_TASK_KILL_RIGHT), EINVAL the caller itself;
	 * EOK also when it is ending already.  abi/task.h, "Task control". */
	SYS_TASK_KILL,
	/* (cap_handle_t device, uint64_t *pages_out): the devices inside the
	 * caller's phys or I/O-port range @a device are quiet (their bus
	 * mastering is off): the DMA buffers quarantined for them go back;
	 * *pages_out (if not NULL) gets how many pages.  abi/ddi.h. */
	SYS_DMA_QUIESCE,
	/* (uint64_t object, uint64_t offset, size_t size): the pages of the
	 * caller's pager object lose the write right in every area bound to
	 * it (abi/pager.h; the start of a write-back). */
	SYS_PAGER_WRITE_PROTECT,
	/* Task control (abi/task.h, "Task control"). */
	/* (task_id_t child, cap_handle_t *out): a new handle to the right to
	 * kill child @a child of the caller (CAP_KIND_TASK), which the caller
	 * may pass on like a range (spawn with capabilities, IPC_M_CAP_GIVE).
	 * ENOENT no such task, EPERM not the caller's child, ELIMIT the table
	 * is full, EFAULT a bad @a out: nothing made. */
	SYS_TASK_RIGHT,
	/* (cap_handle_t right): end the task @a right names, as SYS_TASK_KILL
	 * ends a child (its parent still waits for it; killed_by the caller).
	 * ENOENT/ESTALE no such handle or not a task right, ENOENT the task
	 * was reaped, EINVAL it names the caller. */
	SYS_TASK_KILL_RIGHT,
	/* (unsigned role): the caller becomes the pager of @a role, or takes
	 * it over from its dead holder (abi/pager.h, "Registration"). */
	SYS_PAGER_REGISTER,
	/* (unsigned role, task_id_t child): the parent of the role's holder
	 * names the child that may take the role over (abi/pager.h). */
	SYS_PAGER_SUCCESSOR,
	/* (unsigned role): tests only: a low-memory notice now to the
	 * holder of @a role (0: to every registered pager), abi/pager.h. */
	SYS_PAGER_LOW_MEMORY_TEST,
	/* (unsigned how): turn the machine off; SYSTEM_POWEROFF (0) is the
	 * only @a how (EINVAL otherwise).  Does not return.  Any task may:
	 * there are no users yet.  The file systems are the caller's to
	 * unmount first (umount_all).  The verdict a test harness sees is
	 * success. */
	SYS_SYSTEM_POWEROFF,
	/* (const uint32_t *addr, uint32_t expected, uint64_t usec): sleep
	 * while *addr == expected, until a SYS_FUTEX_WAKE on it, usec
	 * microseconds (0: no limit; ETIMEOUT) or an interrupt (EINTR).
	 * EAGAIN at once if *addr differs (or a wake raced the read: look
	 * again); EINVAL unaligned; EFAULT unreadable.  The word is named by
	 * the caller's address space and address: a futex is private to a
	 * task.  libc's lock_t waits this way. */
	SYS_FUTEX_WAIT,
	/* (const uint32_t *addr, uint32_t count): wake up to count threads
	 * of the caller's task sleeping on addr.  EINVAL unaligned. */
	SYS_FUTEX_WAKE,
	/* Looking at other tasks (abi/task.h, "Looking at tasks"). */
	/* (task_info_t *out, size_t max, size_t *count_out): the tasks not
	 * yet reaped, in id order, at most @a max of them into @a out;
	 * *count_out gets how many there are (more than @a max: ask again
	 * with room for them).  Any task may. */
	SYS_TASK_LIST,
	/* (task_id_t id, task_area_info_t *out, size_t max, size_t *count_out):
	 * the areas of task @a id, in address order, as SYS_AS_AREA_LIST
	 * lists the caller's own, with their pager objects (abi/as.h).  Only
	 * for the task itself, its parent, or a holder of the right to it
	 * (EPERM otherwise); ENOENT no such task. */
	SYS_TASK_AREA_LIST,
	/* (const task_exec_t *spec): become the program a loader laid out
	 * in the calling task (abi/task.h, docs/loader.md). */
	SYS_TASK_EXEC,
	/* (task_id_t id, task_exit_info_t *out): as SYS_TASK_WAIT, but also
	 * returns (EOK, *out all zero: reason 0) as soon as child @a id has
	 * become its program with SYS_TASK_EXEC; it runs on and is waited for
	 * later as any child.  A spawn through a loader waits so: the
	 * loader's refusal (the child ended) is the spawn's error. */
	SYS_TASK_WAIT_EXEC,
	/* (uint64_t object, uint64_t conn): EOK if an area is bound to the
	 * caller's pager object @a object through its client connection with
	 * badge @a conn, ENOENT if not (abi/pager.h; a pager asks when that
	 * connection has closed). */
	SYS_PAGER_BOUND,
	SYSCALL_COUNT
};

#define SYSTEM_POWEROFF 0

#endif
