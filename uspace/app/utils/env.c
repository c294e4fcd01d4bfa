/* env: the environment this program was started with, one NAME=VALUE a
 * line (the shell's export sets what its programs get). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	(void) argc, (void) argv;
	for (char **e = environ; *e; e++)
		printf("%s\n", *e);
	return fflush(stdout) == 0 ? 0 : 1;
}
