/* TEMPORARY: until mm/as.c and proc/task.c land. */
#include <mm/page.h>
#include <proc/task.h>
#include <proc/thread.h>
void as_activate(struct as *as);
void as_activate(struct as *as)
{
	(void) as;
	page_table_activate(&page_table_kernel, 0, false);
}
void task_thread_exiting(struct thread *t, int status)
{
	(void) t;
	(void) status;
}
