/*
 * init: the first user task.  It says who it is and what it started, then
 * stays alive.  Nothing else exists yet to start: the kernel itself
 * starts every boot module (the image recipe, boot/meson.build); init
 * would start the servers here once they exist.
 */
#include <stdio.h>
#include <sys.h>
#include <task.h>
#include <thread.h>

#define INIT_SLEEP_US (60ULL * 1000 * 1000)

/* Boot modules init knows it could start with task_spawn(). */
static const char *const init_modules[] = { "tester" };

static void init_banner(int argc, char **argv)
{
	mem_stats_t st = { 0 };
	mem_stats(&st);
	printf("init: mkernel user space, task %llu, %llu of %llu frames free\n",
	    (unsigned long long) task_id(), (unsigned long long) st.free_frames,
	    (unsigned long long) st.total_frames);
	for (int i = 1; i < argc; i++)
		printf("init: argument %d: %s\n", i, argv[i]);
}

int main(int argc, char **argv)
{
	init_banner(argc, argv);
	printf("init: started: init (this task); nothing else to start yet\n");
	for (size_t i = 0; i < sizeof(init_modules) / sizeof(init_modules[0]); i++)
		printf("init: could start boot module \"%s\" (the kernel starts it)\n",
		    init_modules[i]);
	for (;;)
		thread_sleep_us(INIT_SLEEP_US);
}
