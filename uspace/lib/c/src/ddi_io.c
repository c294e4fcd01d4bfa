/* I/O-port system calls (ddi_io.h). */
#include <ddi_io.h>
#include <sys.h>

errno_t ioport_enable(cap_handle_t h)
{
	return (errno_t) syscall1(SYS_IOPORT_ENABLE, (sysarg_t) (int64_t) h);
}
