/*
 * fault [null|loop|write]: a program that misbehaves on purpose, to see
 * what the shell does.  null (the default) reads address 0, write stores
 * into its own code; both are killed by the kernel with an end report;
 * loop spins for ever (stop it with Ctrl-C).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "null";
	if (strcmp(how, "loop") == 0) {
		printf("fault: looping (Ctrl-C stops me)\n");
		fflush(stdout);
		for (volatile uint64_t n = 0;; n++)
			;
	}
	if (strcmp(how, "write") == 0) {
		printf("fault: storing into my own code\n");
		fflush(stdout);
		*(volatile uint8_t *) (uintptr_t) main = 0xcc;
		return 0;
	}
	if (strcmp(how, "null") != 0) {
		fprintf(stderr, "usage: fault [null|loop|write]\n");
		return 2;
	}
	printf("fault: reading address 0\n");
	fflush(stdout);
	return *(volatile int *) (uintptr_t) 0;
}
