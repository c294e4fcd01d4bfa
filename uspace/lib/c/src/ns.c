/*
 * Naming-service client: name packing, registration and connection.
 *
 * Registration goes through a phone of its own: ns_register() first asks
 * ns for a new phone to ns (an empty-name connect), then sends
 * IPC_M_CONNECT_TO_ME through it.  ns remembers which of its connections
 * registered the name, so when this task ends (all its phones hang up)
 * ns sees that connection go and forgets the name.  The phones are kept
 * in a small table so ns_unregister() can hang the right one up.
 */
#include <ipc.h>
#include <lock.h>
#include <ns.h>
#include <string.h>

#define NS_REG_MAX 8

typedef struct ns_reg {
	uint64_t name[2];
	cap_handle_t phone; /* CAP_NIL: free */
} ns_reg_t;

static ns_reg_t ns_regs[NS_REG_MAX] = { [0 ... NS_REG_MAX - 1] = { { 0, 0 }, CAP_NIL } };
static lock_t ns_regs_lock = LOCK_INITIALIZER;

errno_t ns_name_pack(const char *name, uint64_t words[2])
{
	size_t len = strlen(name);
	if (len == 0 || len > NS_NAME_MAX)
		return EINVAL;
	words[0] = words[1] = 0;
	for (size_t i = 0; i < len; i++)
		words[i / 8] |= (uint64_t) (unsigned char) name[i] << (8 * (i % 8));
	return EOK;
}

void ns_name_unpack(const uint64_t words[2], char out[NS_NAME_MAX + 1])
{
	for (size_t i = 0; i < NS_NAME_MAX; i++)
		out[i] = (char) (words[i / 8] >> (8 * (i % 8)));
	out[NS_NAME_MAX] = '\0';
}

/* Remember (@a phone != CAP_NIL) or forget-and-return a registration. */
static cap_handle_t ns_reg_swap(const uint64_t name[2], cap_handle_t phone)
{
	cap_handle_t old = CAP_NIL;
	lock_acquire(&ns_regs_lock);
	for (size_t i = 0; i < NS_REG_MAX; i++) {
		ns_reg_t *r = &ns_regs[i];
		bool match = r->phone != CAP_NIL && r->name[0] == name[0] && r->name[1] == name[1];
		if (phone == CAP_NIL && match) {
			old = r->phone;
			r->phone = CAP_NIL;
			break;
		}
		if (phone != CAP_NIL && r->phone == CAP_NIL) {
			*r = (ns_reg_t){ { name[0], name[1] }, phone };
			old = phone;
			break;
		}
	}
	lock_release(&ns_regs_lock);
	return old;
}

errno_t ns_register(const char *name)
{
	uint64_t w[2];
	cap_handle_t reg;
	errno_t rc = ns_name_pack(name, w);
	if (rc != EOK)
		return rc;
	rc = ipc_connect_me_to(IPC_PHONE_NS, 0, 0, 0, 0, &reg);
	if (rc != EOK)
		return rc;
	rc = ipc_connect_to_me(reg, w[0], w[1], 0, 0, NS_CONN_BADGE);
	if (rc == EOK && ns_reg_swap(w, reg) == CAP_NIL)
		rc = ELIMIT;
	if (rc != EOK)
		ipc_hangup(reg);
	return rc;
}

errno_t ns_unregister(const char *name)
{
	uint64_t w[2];
	errno_t rc = ns_name_pack(name, w);
	if (rc != EOK)
		return rc;
	cap_handle_t reg = ns_reg_swap(w, CAP_NIL);
	return reg == CAP_NIL ? ENOENT : ipc_hangup(reg);
}

errno_t ns_connect_timeout(const char *name, uint64_t timeout_ms, cap_handle_t *phone)
{
	uint64_t w[2];
	errno_t rc = ns_name_pack(name, w);
	if (rc != EOK)
		return rc;
	return ipc_connect_me_to(IPC_PHONE_NS, w[0], w[1], timeout_ms, 0, phone);
}

errno_t ns_connect(const char *name, cap_handle_t *phone)
{
	return ns_connect_timeout(name, 0, phone);
}
