/* echo [-n] [WORD...]: the words, one space between, then a newline (not
 * with -n). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	int i = 1;
	bool newline = true;
	if (argc > 1 && strcmp(argv[1], "-n") == 0) {
		newline = false;
		i++;
	}
	for (int first = i; i < argc; i++)
		printf("%s%s", i > first ? " " : "", argv[i]);
	if (newline)
		printf("\n");
	return fflush(stdout) == 0 ? 0 : 1;
}
