/*
 * The system call table and dispatcher.  The table is indexed by the
 * numbers in abi/syscall.h, written with designated initializers so a
 * number can never pair with the wrong handler; an unknown number gives
 * ENOTSUP.  After every call, a thread whose task is ending leaves instead
 * of returning to user space.
 */
#include <abi/syscall.h>
#include <proc/task.h>
#include <proc/thread.h>
#include <syscall/syscall.h>

static const syscall_handler_t syscall_table[] = {
	[SYS_KCONSOLE_WRITE] = sys_kconsole_write,
	[SYS_THREAD_CREATE] = sys_thread_create,
	[SYS_THREAD_EXIT] = sys_thread_exit,
	[SYS_THREAD_JOIN] = sys_thread_join,
	[SYS_THREAD_YIELD] = sys_thread_yield,
	[SYS_THREAD_SLEEP] = sys_thread_sleep,
	[SYS_THREAD_ID] = sys_thread_id,
	[SYS_TASK_EXIT] = sys_task_exit,
	[SYS_TASK_ID] = sys_task_id,
	[SYS_TASK_SPAWN] = sys_task_spawn,
	[SYS_TASK_WAIT] = sys_task_wait,
	[SYS_TASK_KILL] = sys_task_kill,
	[SYS_TASK_RIGHT] = sys_task_right,
	[SYS_TASK_KILL_RIGHT] = sys_task_kill_right,
	[SYS_TASK_LIST] = sys_task_list,
	[SYS_TASK_AREA_LIST] = sys_task_area_list,
	[SYS_TASK_EXEC] = sys_task_exec,
	[SYS_TASK_WAIT_EXEC] = sys_task_wait_exec,
	[SYS_AS_AREA_CREATE] = sys_as_area_create,
	[SYS_AS_AREA_DESTROY] = sys_as_area_destroy,
	[SYS_AS_AREA_RESIZE] = sys_as_area_resize,
	[SYS_AS_AREA_UNMAP] = sys_as_area_unmap,
	[SYS_AS_AREA_PROTECT] = sys_as_area_protect,
	[SYS_AS_AREA_QUERY] = sys_as_area_query,
	[SYS_AS_AREA_LIST] = sys_as_area_list,
	[SYS_UPTIME] = sys_uptime,
	[SYS_MEM_STATS] = sys_mem_stats,
	[SYS_IPC_CALL] = sys_ipc_call,
	[SYS_IPC_WAIT] = sys_ipc_wait,
	[SYS_IPC_ANSWER] = sys_ipc_answer,
	[SYS_IPC_FORWARD] = sys_ipc_forward,
	[SYS_IPC_HANGUP] = sys_ipc_hangup,
	[SYS_IPC_CALL_SYNC] = sys_ipc_call_sync,
	[SYS_IPC_REPLY_WAIT] = sys_ipc_reply_wait,
	[SYS_IPC_FAIL_INJECT] = sys_ipc_fail_inject,
	[SYS_TASK_STATS] = sys_task_stats,
	[SYS_SYSTEM_POWEROFF] = sys_system_poweroff,
	/* Part C (ddi-irq): interrupts (abi/ddi.h). */
	[SYS_IRQ_SUBSCRIBE] = sys_irq_subscribe,
	[SYS_IRQ_ACK] = sys_irq_ack,
	[SYS_IRQ_TEST_RAISE] = sys_irq_test_raise,
	[SYS_KCONSOLE_READ] = sys_kconsole_read,
	/* The pager protocol (abi/pager.h). */
	[SYS_AS_AREA_CREATE_PAGER] = sys_as_area_create_pager,
	[SYS_PAGER_REVOKE] = sys_pager_revoke,
	[SYS_PAGER_SET_SIZE] = sys_pager_set_size,
	[SYS_PAGER_WRITE_PROTECT] = sys_pager_write_protect,
	[SYS_PAGER_BOUND] = sys_pager_bound,
	[SYS_PAGER_REGISTER] = sys_pager_register,
	[SYS_PAGER_SUCCESSOR] = sys_pager_successor,
	[SYS_PAGER_LOW_MEMORY_TEST] = sys_pager_low_memory_test,
	[SYS_FUTEX_WAIT] = sys_futex_wait,
	[SYS_FUTEX_WAKE] = sys_futex_wake,
	/* Capabilities and I/O ports (Part B ddi-caps, docs/drivers.md). */
	[SYS_CAP_INFO] = sys_cap_info,
	[SYS_CAP_DERIVE] = sys_cap_derive,
	[SYS_CAP_DROP] = sys_cap_drop,
	/* Device memory and DMA (abi/ddi.h). */
	[SYS_PHYS_MAP] = sys_phys_map,
	[SYS_DMA_ALLOC] = sys_dma_alloc,
	[SYS_DMA_MAP] = sys_dma_map,
	[SYS_DMA_QUIESCE] = sys_dma_quiesce,
	[SYS_IOPORT_ENABLE] = sys_ioport_enable,
};

_Static_assert(sizeof(syscall_table) / sizeof(syscall_table[0]) == SYSCALL_COUNT,
    "every system call number has a handler");

sysarg_t syscall_dispatch(sysarg_t number, const sysargs_t *args)
{
	sysarg_t rc = ENOTSUP;
	if (number < SYSCALL_COUNT && syscall_table[number])
		rc = syscall_table[number](args);
	if (__atomic_load_n(&THREAD->interrupted, __ATOMIC_ACQUIRE))
		task_thread_terminate();
	return rc;
}
