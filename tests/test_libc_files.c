/*
 * Host tests of libc's pure file-layer code (uspace/lib/c/src): the
 * descriptor table and the handoff word (fdtab.c) and the checks of
 * directory records (dirbuf.c).
 */
#include "dirbuf.h"
#include "fdtab.h"
#include "tap.h"
#include <abi/vfs.h>
#include <stdlib.h>
#include <string.h>

/* --- the descriptor table and the handoff word --- */

static bool test_fdtab(void)
{
	fdtab_t t;
	fd_entry_t e, old, vfs = { .kind = FD_VFS, .gen = 1, .vfd = 7 };
	int fd;
	fdtab_init(&t);
	for (int i = 0; i < 3; i++) {
		TAP_CHECK_EQ(fdtab_get(&t, i, &e), EOK);
		TAP_CHECK_EQ(e.kind, FD_CONSOLE);
	}
	TAP_CHECK_EQ(fdtab_get(&t, 3, &e), EBADF);
	TAP_CHECK_EQ(fdtab_get(&t, -1, &e), EBADF);
	TAP_CHECK_EQ(fdtab_get(&t, FDTAB_SIZE, &e), EBADF);
	TAP_CHECK_EQ(fdtab_alloc(&t, &vfs, &fd), EOK);
	TAP_CHECK_EQ(fd, 3);
	TAP_CHECK_EQ(fdtab_get(&t, 3, &e), EOK);
	TAP_CHECK(e.kind == FD_VFS && e.vfd == 7 && e.gen == 1);
	/* Closing 0 frees the lowest slot for the next file. */
	TAP_CHECK_EQ(fdtab_take(&t, 0, &old), EOK);
	TAP_CHECK_EQ(old.kind, FD_CONSOLE);
	TAP_CHECK_EQ(fdtab_take(&t, 0, &old), EBADF);
	TAP_CHECK_EQ(fdtab_alloc(&t, &vfs, &fd), EOK);
	TAP_CHECK_EQ(fd, 0);
	int n = 2; /* 0 and 3 are files; 1 and 2 the console */
	while (fdtab_alloc(&t, &vfs, &fd) == EOK)
		n++;
	TAP_CHECK_EQ(n, FDTAB_SIZE - 2);
	TAP_CHECK_EQ(fdtab_alloc(&t, &vfs, &fd), EMFILE);
	/* dup2's replace: onto a used slot gives what was there. */
	fd_entry_t con = { .kind = FD_CONSOLE };
	TAP_CHECK_EQ(fdtab_replace(&t, 5, &con, &old), EOK);
	TAP_CHECK_EQ(old.kind, FD_VFS);
	TAP_CHECK_EQ(fdtab_replace(&t, FDTAB_SIZE, &con, &old), EBADF);
	TAP_CHECK_EQ(fdtab_replace(&t, -3, &con, &old), EBADF);
	TAP_CHECK_EQ(t.lock.held, 0);
	return true;
}

static bool test_handoff_word(void)
{
	static const uint64_t tokens[] = { 0, 1, 0xabcdef, UINT64_MAX };
	char w[FD_HANDOFF_WORD_MAX];
	unsigned mask;
	uint64_t token;
	for (unsigned m = 1; m <= 7; m++) {
		for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
			size_t n = fd_handoff_word(w, m, tokens[i]);
			TAP_CHECK(n < FD_HANDOFF_WORD_MAX && strlen(w) == n);
			TAP_CHECK(strchr(w, ' ') == NULL);
			TAP_CHECK(fd_handoff_parse(w, &mask, &token));
			TAP_CHECK(mask == m && token == tokens[i]);
		}
	}
	static const char *const bad[] = {
		"",
		"fd:1:2",
		"\x01"
		"fd:",
		"\x01"
		"fd:1",
		"\x01"
		"fd:1:",
		"\x01"
		"fd::5",
		"\x01"
		"fd:0:5",
		"\x01"
		"fd:8:5",
		"\x01"
		"fd:1:5x",
		"\x01"
		"fd:1:5 ",
		"\x01"
		"fd:1:ABC",
		"\x01"
		"fd:1:10000000000000000",
		"\x01"
		"fd:1:-1",
		"\x02"
		"fd:1:1",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (fd_handoff_parse(bad[i], &mask, &token)) {
			tap_diag("accepted bad word %zu", i);
			return false;
		}
	}
	return true;
}

/* --- directory records --- */

/* Append a record for @a name to @a buf at *len; @a reclen 0: the right
 * one. */
static void dirent_put(uint8_t *buf, size_t *len, uint64_t ino, const char *name, uint16_t reclen)
{
	size_t nl = strlen(name);
	uint16_t rl = reclen ? reclen : (uint16_t) VFS_DIRENT_SIZE(nl);
	memset(buf + *len, 0, rl);
	memcpy(buf + *len, &ino, 8);
	memcpy(buf + *len + 8, &rl, 2);
	buf[*len + 10] = VFS_DT_REG;
	buf[*len + 11] = (uint8_t) nl;
	memcpy(buf + *len + 12, name, nl);
	*len += rl;
}

static bool test_dirbuf(void)
{
	_Alignas(8) uint8_t buf[4096];
	char longname[256];
	size_t len = 0, pos = 0;
	dirbuf_entry_t e;
	memset(longname, 'n', 255);
	longname[255] = '\0';
	dirent_put(buf, &len, 2, ".", 0);
	dirent_put(buf, &len, 11, "a", 0);
	dirent_put(buf, &len, 12, longname, 0);
	dirent_put(buf, &len, 13, "pad", 64); /* room to spare is fine */
	const char *want[] = { ".", "a", longname, "pad" };
	for (int i = 0; i < 4; i++) {
		TAP_CHECK_EQ(dirbuf_next(buf, len, &pos, &e), EOK);
		TAP_CHECK(e.name_len == strlen(want[i]) && strcmp(e.name, want[i]) == 0);
		TAP_CHECK_EQ(e.type, VFS_DT_REG);
	}
	TAP_CHECK_EQ(pos, len);
	TAP_CHECK_EQ(dirbuf_next(buf, len, &pos, &e), EIO);
	/* Malformed records, each alone in the batch. */
	struct {
		const char *name;
		uint16_t reclen;
		int patch; /* 1: no NUL, 2: NUL inside, 3: empty name, 4: cut short */
	} bad[] = { { "abc", 17, 0 }, { "abc", 8, 0 }, { "abcdefghijk", 16, 0 }, { "abc", 24, 4 },
		{ "abc", 0, 1 }, { "abc", 0, 2 }, { "abc", 0, 3 } };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t l = 0, p = 0;
		dirent_put(buf, &l, 5, bad[i].name, bad[i].reclen ? bad[i].reclen : 0);
		if (bad[i].patch == 1)
			memset(buf + 12 + 3, 'x', l - 15);
		if (bad[i].patch == 2)
			buf[13] = '\0';
		if (bad[i].patch == 3)
			buf[11] = 0;
		if (bad[i].patch == 4)
			l -= 8;
		if (dirbuf_next(buf, l, &p, &e) != EIO || p != 0) {
			tap_diag("bad record %zu accepted", i);
			return false;
		}
	}
	pos = 4; /* a head that does not fit */
	TAP_CHECK_EQ(dirbuf_next(buf, 12, &pos, &e), EIO);
	return true;
}

int main(void)
{
	static const tap_case_t cases[] = {
		{ "fdtab", test_fdtab },
		{ "handoff_word", test_handoff_word },
		{ "dirbuf", test_dirbuf },
	};
	return tap_run(cases, sizeof(cases) / sizeof(cases[0]));
}
