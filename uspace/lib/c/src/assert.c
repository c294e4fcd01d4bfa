/* Failed assertions end the task with status EXIT_ASSERT. */
#include <assert.h>
#include <stdio.h>
#include <task.h>

noreturn void assert_fail(const char *expr, const char *file, int line, const char *func)
{
	printf("assertion failed: %s (%s:%d, %s)\n", expr, file, line, func);
	task_exit(EXIT_ASSERT);
}
