/*
 * The serving loop: N worker threads, each waiting on the task's
 * answerbox and calling the handler for every event it takes, so up to N
 * calls are handled at once (a handler may block, e.g. in a request of its
 * own, without stopping the others).  A worker waits with
 * ipc_reply_wait(), which carries the answer the handler returned (if it
 * returned one) and the next event in registers: one system call per call
 * served.  A worker ends when waiting fails for good: EINTR means the
 * task is ending, ENOTSUP that the kernel has no IPC.  A call the kernel
 * could not hand over (no handle free: it answered the call ELIMIT) ends
 * nothing; the worker waits again.  Idle workers sleep in the
 * kernel and cost nothing.
 */
#include <ipc.h>
#include <thread.h>

#define IPC_SERVE_THREADS_MAX 64

static ipc_reply_handler_t ipc_serve_handler;
static ipc_handler_t ipc_serve_plain;

static errno_t ipc_serve_worker_loop(void)
{
	ipc_event_t ev;
	cap_handle_t call = CAP_NIL;
	errno_t retval = EOK;
	ipc_msg_t answer = { 0 };
	for (;;) {
		errno_t rc = ipc_reply_wait(call, retval, &answer, &ev, 0, 0, NULL);
		call = CAP_NIL;
		if (rc == EINTR || rc == ENOTSUP)
			return rc;
		if (rc != EOK)
			continue; /* a call we could not receive (answered with rc) */
		answer = (ipc_msg_t){ 0 };
		retval = ipc_serve_handler(&ev, &answer);
		if (retval != IPC_NO_REPLY && ev.kind == IPC_EV_CALL)
			call = ev.call;
	}
}

static int ipc_serve_worker(void *arg)
{
	(void) arg;
	return ipc_serve_worker_loop();
}

errno_t ipc_serve_reply(ipc_reply_handler_t handler, unsigned nthreads)
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

/* A plain handler answers by itself. */
static errno_t ipc_serve_plain_handle(ipc_event_t *ev, ipc_msg_t *answer)
{
	(void) answer;
	ipc_serve_plain(ev);
	return IPC_NO_REPLY;
}

errno_t ipc_serve(ipc_handler_t handler, unsigned nthreads)
{
	ipc_serve_plain = handler;
	return ipc_serve_reply(ipc_serve_plain_handle, nthreads);
}
