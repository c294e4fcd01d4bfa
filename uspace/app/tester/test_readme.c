/*
 * The README's example program (module readme_hello, built from the C
 * example in README.md by uspace/app/readme): it starts the way the README
 * says, gets its arguments and exits with status 0.  tools/test.sh checks
 * the line it prints ("hello from task N: world 42 (2 argument(s))") in
 * the user suite's log.
 */
#include <task.h>
#include <utest.h>

UTEST(readme_hello)
{
	task_id_t id;
	task_exit_info_t info;
	UT_ASSERT_OK(task_spawn("readme_hello", "world 42", &id));
	UT_ASSERT_OK(task_wait(id, &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL);
	UT_CHECK_EQ(info.status, 0);
}
