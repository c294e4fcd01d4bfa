/*
 * System call dispatch.
 *
 * The entry stub saves the user registers and calls syscall_dispatch()
 * with the number and the six argument registers.  Every handler has the
 * same type: it receives the raw arguments, validates and unpacks them
 * (user pointers become uspace_ptr_t), and returns the value for rax
 * (an errno_t for almost every call).  The table (syscall/syscall.c) is
 * indexed by the numbers in abi/syscall.h.
 */
#ifndef KERN_SYSCALL_SYSCALL_H_
#define KERN_SYSCALL_SYSCALL_H_

#include <abi/cap.h>
#include <abi/syscall.h>
#include <mm/uaccess.h>

struct as;

/* The user registers as the entry stub saved them (arch syscall.S): the
 * six argument registers, then the further words of the IPC register
 * calls.  The stub restores every register from here on the way out, so
 * a handler may return values in them by writing these slots. */
typedef struct sysargs {
	sysarg_t a[6]; /* rdi, rsi, rdx, r10, r8, r9 */
	sysarg_t r12, r13, r14, r15, rbx;
	/* the rest of the frame: only SYS_TASK_EXEC writes them (rcx is the
	 * user rip and r11 the user rflags, as `syscall` left them) */
	sysarg_t rbp, r11, rcx, rsp;
} sysargs_t;

typedef sysarg_t (*syscall_handler_t)(const sysargs_t *args);

/* A handle argument: a value that is no 32-bit handle names nothing (it
 * must not alias a handle by truncation). */
static inline cap_handle_t sys_handle(sysarg_t v)
{
	int64_t h = (int64_t) v;
	return h < 0 || h > INT32_MAX ? CAP_NIL : (cap_handle_t) h;
}

sysarg_t syscall_dispatch(sysarg_t number, const sysargs_t *args);

/* Console, thread, task and statistics handlers (syscall/sys_proc.c). */
sysarg_t sys_kconsole_write(const sysargs_t *args);
sysarg_t sys_thread_create(const sysargs_t *args);
sysarg_t sys_thread_exit(const sysargs_t *args);
sysarg_t sys_thread_join(const sysargs_t *args);
sysarg_t sys_thread_yield(const sysargs_t *args);
sysarg_t sys_thread_sleep(const sysargs_t *args);
sysarg_t sys_thread_id(const sysargs_t *args);
sysarg_t sys_task_exit(const sysargs_t *args);
sysarg_t sys_task_id(const sysargs_t *args);
sysarg_t sys_task_spawn(const sysargs_t *args);
sysarg_t sys_task_wait(const sysargs_t *args);
sysarg_t sys_task_kill(const sysargs_t *args);
sysarg_t sys_task_right(const sysargs_t *args);
sysarg_t sys_task_kill_right(const sysargs_t *args);
sysarg_t sys_task_list(const sysargs_t *args);
sysarg_t sys_task_area_list(const sysargs_t *args);
sysarg_t sys_task_exec(const sysargs_t *args);
sysarg_t sys_task_wait_exec(const sysargs_t *args);
sysarg_t sys_uptime(const sysargs_t *args);
sysarg_t sys_mem_stats(const sysargs_t *args);
sysarg_t sys_task_stats(const sysargs_t *args);
sysarg_t sys_system_poweroff(const sysargs_t *args);

/* Pager requests (syscall/sys_pager.c). */
sysarg_t sys_pager_revoke(const sysargs_t *args);
sysarg_t sys_pager_write_protect(const sysargs_t *args);
sysarg_t sys_pager_set_size(const sysargs_t *args);
sysarg_t sys_pager_bound(const sysargs_t *args);
sysarg_t sys_pager_register(const sysargs_t *args);
sysarg_t sys_pager_successor(const sysargs_t *args);
sysarg_t sys_pager_low_memory_test(const sysargs_t *args);
sysarg_t sys_futex_wait(const sysargs_t *args);
sysarg_t sys_futex_wake(const sysargs_t *args);

/* IPC handlers (syscall/sys_ipc.c). */
sysarg_t sys_ipc_call(const sysargs_t *args);
sysarg_t sys_ipc_wait(const sysargs_t *args);
sysarg_t sys_ipc_answer(const sysargs_t *args);
sysarg_t sys_ipc_forward(const sysargs_t *args);
sysarg_t sys_ipc_hangup(const sysargs_t *args);
sysarg_t sys_ipc_call_sync(const sysargs_t *args);
sysarg_t sys_ipc_reply_wait(const sysargs_t *args);
sysarg_t sys_ipc_fail_inject(const sysargs_t *args);

/* Interrupts (syscall/sys_irq.c). */
sysarg_t sys_irq_subscribe(const sysargs_t *args);
sysarg_t sys_irq_ack(const sysargs_t *args);
sysarg_t sys_irq_test_raise(const sysargs_t *args);
sysarg_t sys_kconsole_read(const sysargs_t *args);

/* Address-space handlers (syscall/sys_as.c). */
/* One round of an area listing: up to @a max records of the areas of
 * @a as based at or above *from into @a buf, *from moved past the last of
 * them; how many (0: no more). */
typedef size_t (*sys_area_fill_t)(struct as *as, uintptr_t *from, void *buf, size_t max);
/* Copy up to @a max records of @a size bytes (at most 512) that @a fill
 * makes to @a out, a bounded chunk at a time, no lock held while copying
 * (SYS_AS_AREA_LIST, SYS_TASK_AREA_LIST): EOK, or EFAULT. */
errno_t sys_area_records_out(
    struct as *as, uspace_ptr_t out, size_t max, size_t size, sys_area_fill_t fill);
sysarg_t sys_as_area_create(const sysargs_t *args);
sysarg_t sys_as_area_destroy(const sysargs_t *args);
sysarg_t sys_as_area_resize(const sysargs_t *args);
sysarg_t sys_as_area_unmap(const sysargs_t *args);
sysarg_t sys_as_area_protect(const sysargs_t *args);
sysarg_t sys_as_area_query(const sysargs_t *args);
sysarg_t sys_as_area_list(const sysargs_t *args);
sysarg_t sys_as_area_create_pager(const sysargs_t *args);

/* Capability handles of any kind (syscall/sys_cap.c; Part B ddi-caps). */
sysarg_t sys_cap_info(const sysargs_t *args);
sysarg_t sys_cap_derive(const sysargs_t *args);
sysarg_t sys_cap_drop(const sysargs_t *args);
/* Device memory and DMA (syscall/sys_ddi_mem.c). */
sysarg_t sys_phys_map(const sysargs_t *args);
sysarg_t sys_dma_alloc(const sysargs_t *args);
sysarg_t sys_dma_map(const sysargs_t *args);
sysarg_t sys_dma_quiesce(const sysargs_t *args);
sysarg_t sys_ioport_enable(const sysargs_t *args);

#endif
