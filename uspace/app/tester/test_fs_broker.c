/*
 * The VFS brokering a connection to a file system server for the file
 * pager (abi/vfs.h: VFS_PAGER_REGISTER, IPC_M_CONNECT_ME_TO with
 * VFS_CONNECT_FS), on the storage stack of the fs suite.
 *
 * Only the connection registered as the file pager's gets one (EPERM for
 * others, EEXIST for a second registration); what it gets speaks the file
 * system protocol to the root's server directly (its own control buffer,
 * the root's nodes as the VFS sees them, no unmount); the registration
 * ends with the connection.
 */
#include <abi/fs.h>
#include <abi/vfs.h>
#include <anon.h>
#include <as.h>
#include <ipc.h>
#include <ns.h>
#include <string.h>
#include <sys/stat.h>
#include <thread.h>
#include <utest.h>

#define RW (AS_AREA_READ | AS_AREA_WRITE)

/* The brokered connection speaks abi/fs.h: the root and /etc as stat sees them. */
static void broker_speak(cap_handle_t fs)
{
	uintptr_t ctl;
	ipc_msg_t a;
	struct stat etc;
	UT_ASSERT_OK(as_area_create_anon(0, FS_CTL_SIZE, RW, &ctl));
	UT_CHECK_OK(ipc_request(fs, IPC_M_SHARE_OUT, ctl, RW, FS_SHARE_CTL, 0, 0, NULL));
	UT_CHECK_OK(ipc_request(fs, FS_STATFS, 0, 0, 0, 0, 0, &a));
	uint64_t root = a.arg[0];
	memcpy((void *) ctl, "etc", 3);
	UT_CHECK_OK(ipc_request(fs, FS_LOOKUP, root, 3, 0, 0, 0, &a));
	if (UT_CHECK_EQ(stat("/etc", &etc), 0))
		UT_CHECK(FS_NODE_INO(a.arg[0]) == etc.st_ino && FS_NODE_GEN(a.arg[0]) == a.arg[2]);
	UT_CHECK_ERR(ipc_request(fs, FS_UNMOUNT, 0, 0, 0, 0, 0, NULL), EPERM);
	as_area_destroy(ctl);
}

/* VFS_PAGER_REGISTER through @a v, retried while the VFS has not yet
 * taken the hangup of an earlier registration. */
static errno_t broker_register(cap_handle_t v)
{
	errno_t rc = EEXIST;
	for (unsigned ms = 0; ms < 2000 && rc == EEXIST; ms += 10) {
		rc = ipc_request(v, VFS_PAGER_REGISTER, 0, 0, 0, 0, 0, NULL);
		if (rc == EEXIST)
			thread_sleep_us(10000);
	}
	return rc;
}

UTEST(hw_fs_pager_broker)
{
	cap_handle_t v, v2, fs;
	struct stat st;
	UT_ASSERT_EQ(stat("/", &st), 0);
	UT_ASSERT_OK(ns_connect(VFS_NAME, &v));
	UT_ASSERT_OK(ns_connect(VFS_NAME, &v2));
	/* Not the pager's connection: refused. */
	UT_CHECK_ERR(ipc_connect_me_to(v, VFS_CONNECT_FS, st.st_dev, 0, 0, &fs), EPERM);
	UT_CHECK_OK(broker_register(v));
	UT_CHECK_OK(ipc_request(v, VFS_PAGER_REGISTER, 0, 0, 0, 0, 0, NULL)); /* again: itself */
	UT_CHECK_ERR(ipc_request(v2, VFS_PAGER_REGISTER, 0, 0, 0, 0, 0, NULL), EEXIST);
	UT_CHECK_ERR(ipc_connect_me_to(v2, VFS_CONNECT_FS, st.st_dev, 0, 0, &fs), EPERM);
	UT_CHECK_ERR(ipc_connect_me_to(v, VFS_CONNECT_FS + 1, st.st_dev, 0, 0, &fs), EINVAL);
	UT_CHECK_ERR(ipc_connect_me_to(v, VFS_CONNECT_FS, st.st_dev + 1000, 0, 0, &fs), ENOENT);
	if (UT_CHECK_OK(ipc_connect_me_to(v, VFS_CONNECT_FS, st.st_dev, 0, 0, &fs))) {
		broker_speak(fs);
		ipc_hangup(fs);
	}
	/* The registration goes with its connection. */
	ipc_hangup(v);
	UT_CHECK_OK(broker_register(v2));
	ipc_hangup(v2);
}
