/*
 * The serving loop: N worker threads, each waiting on the task's
 * answerbox (SYS_IPC_WAIT, no cookie, no timeout) and calling the handler
 * for every event it takes, so up to N calls are handled at once (a
 * handler may block, e.g. in a request of its own, without stopping the
 * others).  A worker ends when waiting fails: EINTR means the task is
 * ending, ENOTSUP that the kernel has no IPC.  Idle workers sleep in the
 * kernel and cost nothing.
 */
#include <ipc.h>
#include <thread.h>

#define IPC_SERVE_THREADS_MAX 64

static ipc_handler_t ipc_serve_handler;

static errno_t ipc_serve_worker_loop(void)
{
	ipc_event_t ev;
	for (;;) {
		errno_t rc = ipc_wait(&ev, 0, 0, 0);
		if (rc == ETIMEOUT)
			continue;
		if (rc != EOK)
			return rc;
		ipc_serve_handler(&ev);
	}
}

static int ipc_serve_worker(void *arg)
{
	(void) arg;
	return ipc_serve_worker_loop();
}

errno_t ipc_serve(ipc_handler_t handler, unsigned nthreads)
{
	if (nthreads > IPC_SERVE_THREADS_MAX)
		nthreads = IPC_SERVE_THREADS_MAX;
	ipc_serve_handler = handler;
	for (unsigned n = 1; n < nthreads; n++) {
		if (thread_create(ipc_serve_worker, NULL, NULL) != EOK)
			break;
	}
	return ipc_serve_worker_loop();
}
