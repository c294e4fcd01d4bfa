/*
 * poweroff: the end of the system's day.  Every file system is synced
 * and unmounted cleanly (umount_all: VFS_SHUTDOWN), then the kernel turns
 * the machine off (SYS_SYSTEM_POWEROFF).  If the unmount fails the machine
 * is turned off anyway after saying so (the volumes then need a check).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys.h>
#include <sys/mount.h>

int main(void)
{
	printf("poweroff: unmounting the file systems\n");
	if (umount_all() != 0)
		printf("poweroff: unmount failed: %s (turning off anyway)\n", strerror(errno));
	printf("poweroff: turning the machine off\n");
	fflush(stdout);
	errno_t rc = system_poweroff();
	printf("poweroff: the kernel refused: %s\n", str_error(rc));
	return 1;
}
