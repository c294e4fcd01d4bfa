/*
 * The end of a file system run (tools/test.sh, suite fs): sync and
 * VFS_SHUTDOWN (umount_all), so the host's e2fsck -fn finds a clean
 * volume.  In a file of its own, linked last, so that it runs after the
 * other hw_fs_* tests of a run (the harness runs the tests in the order
 * the link put them).
 */
#include "fs.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utest.h>

/* The end of a run: everything written back, every volume unmounted
 * cleanly; then the VFS answers EBUSY. */
UTEST(hw_fs_shutdown)
{
	struct stat st;
	UT_ASSERT(fs_ready());
	sync();
	UT_CHECK_EQ(umount_all(), 0);
	UT_CHECK(stat("/", &st) == -1 && errno == EBUSY);
	UT_CHECK(open("/", O_RDONLY) == -1 && errno == EBUSY);
}
