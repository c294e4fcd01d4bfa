/* hello [WORD...]: a greeting with this task's id and its arguments. */
#include <stdio.h>
#include <task.h>

int main(int argc, char **argv)
{
	printf("hello from task %llu", (unsigned long long) task_id());
	for (int i = 1; i < argc; i++)
		printf("%s%s", i == 1 ? ": " : " ", argv[i]);
	printf(" (%d argument%s)\n", argc - 1, argc == 2 ? "" : "s");
	return 0;
}
