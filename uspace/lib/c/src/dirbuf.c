/* Directory entry records of a VFS_READDIR batch (dirbuf.h).  Pure code. */
#include "dirbuf.h"
#include <abi/vfs.h>
#include <mem.h>

#define DIRBUF_HEAD 12u /* ino, reclen, type, name_len */

errno_t dirbuf_next(const uint8_t *buf, size_t len, size_t *pos, dirbuf_entry_t *out)
{
	size_t at = *pos;
	uint16_t reclen;
	if (at > len || len - at < DIRBUF_HEAD)
		return EIO;
	const uint8_t *rec = buf + at;
	memcpy(&out->ino, rec, sizeof(out->ino));
	memcpy(&reclen, rec + 8, sizeof(reclen));
	out->type = rec[10];
	out->name_len = rec[11];
	out->name = (const char *) rec + DIRBUF_HEAD;
	if (out->name_len == 0 || reclen % 8 != 0 || reclen < VFS_DIRENT_SIZE(out->name_len) ||
	    reclen > len - at || out->name[out->name_len] != '\0')
		return EIO;
	for (size_t i = 0; i < out->name_len; i++) {
		if (out->name[i] == '\0')
			return EIO;
	}
	*pos = at + reclen;
	return EOK;
}
