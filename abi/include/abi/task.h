/* Tasks and threads as user space sees them. */
#ifndef ABI_TASK_H_
#define ABI_TASK_H_

#include <stddef.h>
#include <stdint.h>

typedef uint64_t task_id_t;
typedef uint64_t tid_t;

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
} task_exit_info_t;

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
} task_startup_t;

typedef struct mem_stats {
	uint64_t total_frames;
	uint64_t free_frames;
	uint64_t page_size;
} mem_stats_t;

#define TASK_NAME_MAX 32

#endif
