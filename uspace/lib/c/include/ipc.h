/*
 * IPC for user space (abi/ipc.h is the contract; docs/ipc.md the guide).
 *
 * Three layers:
 *  - the system calls, one function each (ipc_call .. ipc_hangup, and the
 *    pager's pager_object_revoke / _set_size / _write_protect);
 *  - synchronous requests: ipc_request() is one ipc_call_sync() (the
 *    message in registers, the answer handed to the calling thread alone),
 *    so any number of threads may each make requests while other threads
 *    serve; the system-method helpers (connect, data, share) are built on it;
 *  - serving: ipc_serve() runs worker threads that take events and call a
 *    handler, ipc_serve_reply() the same with handlers that answer by
 *    returning (the answer and the next wait are one ipc_reply_wait()),
 *    plus the accept helpers a handler answers system methods with.
 *
 * Every function returns an errno_t.  A request returns the error of the
 * send (ENOENT bad phone, EHANGUP, ELIMIT, EFAULT, EINVAL) or, once sent,
 * the retval of the answer.
 */
#ifndef LIBC_IPC_H_
#define LIBC_IPC_H_

#include <abi/errno.h>
#include <abi/ipc.h>
#include <abi/pager.h>
#include <stddef.h>
#include <stdint.h>

/* A message literal: IPC_MSG(method, a0, a1, ...); missing words are 0. */
#define IPC_MSG(m, ...) ((ipc_msg_t){ .method = (m), .arg = { __VA_ARGS__ } })

/* The system calls (abi/ipc.h). */
errno_t ipc_call(cap_handle_t phone, const ipc_msg_t *msg, uint64_t cookie);
errno_t ipc_wait(ipc_event_t *ev, uint64_t timeout_us, unsigned flags, uint64_t cookie);
errno_t ipc_answer(cap_handle_t call, errno_t retval, ipc_msg_t *args);
errno_t ipc_forward(cap_handle_t call, cap_handle_t phone, const ipc_msg_t *msg, unsigned flags);
errno_t ipc_hangup(cap_handle_t phone);

/* Tests only (abi/ipc.h): the next @a count runs of @a hook of system
 * @a method fail with @a err; ENOENT if the method has no such hook. */
errno_t ipc_fail_inject(uint64_t method, unsigned hook, errno_t err, unsigned count);

/* Pager to kernel (abi/pager.h). */
errno_t pager_object_revoke(uint64_t object, uint64_t offset, size_t size);
errno_t pager_object_set_size(uint64_t object, uint64_t size);
errno_t pager_object_write_protect(uint64_t object, uint64_t offset, size_t size);
/* EOK if an area is bound to @a object through connection @a conn (its
 * badge), ENOENT if not; final once @a conn has closed (SYS_PAGER_BOUND). */
errno_t pager_object_bound(uint64_t object, uint64_t conn);
/* Pager roles (abi/pager.h, "Registration, restart and low memory"). */
errno_t pager_role_register(unsigned role);
errno_t pager_role_successor(unsigned role, task_id_t task);
errno_t pager_low_memory_test(unsigned role); /* tests only */

/* The register calls (the fast path, abi/ipc.h).  ipc_call_sync: send
 * @a msg and wait for the answer: its retval (or the error that kept the
 * call from being answered: ENOENT/ESTALE, EHANGUP, ELIMIT, EINVAL, EINTR);
 * *answer (may be NULL) gets the answer's words.  ipc_reply_wait: answer
 * @a call (CAP_NIL: none) with @a retval and *args (NULL: zeros), then wait
 * for the next event as ipc_wait() without a cookie would (flags:
 * IPC_WAIT_NONBLOCK); *answer_rc (may be NULL) gets what the answer met
 * (EOK, or why it was refused or failed). */
errno_t ipc_call_sync(cap_handle_t phone, const ipc_msg_t *msg, ipc_msg_t *answer);
errno_t ipc_reply_wait(cap_handle_t call, errno_t retval, const ipc_msg_t *args, ipc_event_t *ev,
    uint64_t timeout_us, unsigned flags, errno_t *answer_rc);

/* A cookie no other request of this task uses, with IPC_COOKIE_SYNC. */
uint64_t ipc_cookie_sync_new(void);

/* Send @a msg through @a phone and wait for its answer; *answer (may be
 * NULL) gets the answer's words (method: the method sent). */
errno_t ipc_request_msg(cap_handle_t phone, const ipc_msg_t *msg, ipc_msg_t *answer);
errno_t ipc_request(cap_handle_t phone, uint64_t method, uint64_t a0, uint64_t a1, uint64_t a2,
    uint64_t a3, uint64_t a4, ipc_msg_t *answer);

/* IPC_M_CONNECT_ME_TO with words a0..a3: *phone_out gets the new phone. */
errno_t ipc_connect_me_to(cap_handle_t phone, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
    cap_handle_t *phone_out);
/* IPC_M_CONNECT_TO_ME: give the other side a phone to us; calls through
 * it arrive here with ev.conn == @a badge. */
errno_t ipc_connect_to_me(
    cap_handle_t phone, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t badge);
/* Copy @a size bytes to / from the other side (at most IPC_DATA_MAX);
 * *done (may be NULL) gets the bytes moved (the other side may take or
 * give fewer). */
errno_t ipc_data_write(cap_handle_t phone, const void *src, size_t size, size_t *done);
errno_t ipc_data_read(cap_handle_t phone, void *dst, size_t size, size_t *done);
/* Offer our area at @a base with @a rights to the other side. */
errno_t ipc_share_out(cap_handle_t phone, uintptr_t base, unsigned rights);
/* Ask the other side for an area of @a size bytes with @a rights; map it
 * at @a where (0: anywhere); *base_out gets where it is. */
errno_t ipc_share_in(
    cap_handle_t phone, size_t size, unsigned rights, uintptr_t where, uintptr_t *base_out);

/* Answer helpers for a handler (ev is an IPC_EV_CALL of that method). */
errno_t ipc_connect_accept(const ipc_event_t *ev, uint64_t badge);
/* DATA_WRITE: take up to @a max bytes into @a dst; *got (may be NULL)
 * gets how many. */
errno_t ipc_data_write_accept(const ipc_event_t *ev, void *dst, size_t max, size_t *got);
/* DATA_READ: give up to @a size bytes from @a src. */
errno_t ipc_data_read_accept(const ipc_event_t *ev, const void *src, size_t size);
/* SHARE_OUT: map the offered area at @a where (0: anywhere) with
 * @a rights; *base_out gets its base. */
errno_t ipc_share_out_accept(
    const ipc_event_t *ev, uintptr_t where, unsigned rights, uintptr_t *base_out);
/* SHARE_IN: hand out our area at @a base. */
errno_t ipc_share_in_accept(const ipc_event_t *ev, uintptr_t base);

/* The serving loop.  The handler gets every event a worker takes: calls
 * (it must answer or forward ev->call, now or later), hangups, and
 * answers to asynchronous ipc_call()s without IPC_COOKIE_SYNC. */
typedef void (*ipc_handler_t)(ipc_event_t *ev);
/* Serve with @a nthreads workers (the calling thread is one of them; one
 * ipc_serve per task).  Returns only when waiting fails (EINTR: the task
 * is ending; ENOTSUP: no IPC); the other workers end the same way. */
errno_t ipc_serve(ipc_handler_t handler, unsigned nthreads);

/* A handler that answers by returning: the retval for ev->call, with the
 * answer's words in *answer (zeroed before the call), or IPC_NO_REPLY when
 * it answered, forwarded or kept the call itself, and for events that are
 * not calls.  The answer then goes with the worker's next wait. */
#define IPC_NO_REPLY ((errno_t) -1)
typedef errno_t (*ipc_reply_handler_t)(ipc_event_t *ev, ipc_msg_t *answer);
/* ipc_serve() for such handlers. */
errno_t ipc_serve_reply(ipc_reply_handler_t handler, unsigned nthreads);

#endif
