/* sync: every file system writes what it holds back to its disk. */
#include <unistd.h>

int main(void)
{
	sync();
	return 0;
}
