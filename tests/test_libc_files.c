/*
 * Host tests of libc's pure file-layer code (uspace/lib/c/src): the
 * descriptor table and the handoff word (fdtab.c), the checks of
 * directory records (dirbuf.c), and stream buffering (stream.c) over a
 * model of the descriptor calls (fdio.h) defined here: files in memory
 * that can answer short, fail on request, append, or be a console (no
 * seeking, line-at-a-time input).  The stream test proper is randomized
 * against a plain model of a file and a position.
 */
#include "dirbuf.h"
#include "fdio.h"
#include "fdtab.h"
#include "stream.h"
#include "tap.h"
#include <abi/vfs.h>
#include <stdlib.h>
#include <string.h>

#define FAKE_FDS 8
#define FAKE_FILE_MAX (1u << 20)
#define FAKE_OUT_MAX 8192

typedef struct fake_fd {
	bool open, console, append;
	unsigned char data[FAKE_FILE_MAX];
	size_t size, off;
	size_t max_io; /* at most this many bytes per call (0: no limit) */
	long fail_after; /* calls that still work before each fails (-1: never) */
	errno_t fail_rc;
	unsigned writes; /* write calls that moved bytes */
	size_t last_write; /* bytes of the last one */
	const char *input; /* console: what is typed */
	size_t in_pos;
	char out[FAKE_OUT_MAX]; /* console: what was written */
	size_t out_len;
} fake_fd_t;

static fake_fd_t *fake[FAKE_FDS];

static fake_fd_t *fake_open(int fd, bool console)
{
	fake_fd_t *f = calloc(1, sizeof(*f));
	f->open = true;
	f->console = console;
	f->fail_after = -1;
	free(fake[fd]);
	fake[fd] = f;
	return f;
}

static void fake_close_all(void)
{
	for (int i = 0; i < FAKE_FDS; i++) {
		free(fake[i]);
		fake[i] = NULL;
	}
}

/* The descriptor @a fd, or NULL (EBADF); a call that should fail. */
static fake_fd_t *fake_get(int fd, errno_t *rc)
{
	*rc = EOK;
	if (fd < 0 || fd >= FAKE_FDS || !fake[fd] || !fake[fd]->open) {
		*rc = EBADF;
		return NULL;
	}
	fake_fd_t *f = fake[fd];
	if (f->fail_after == 0) {
		*rc = f->fail_rc;
		return NULL;
	}
	if (f->fail_after > 0)
		f->fail_after--;
	return f;
}

static size_t fake_limit(const fake_fd_t *f, size_t n)
{
	return f->max_io && n > f->max_io ? f->max_io : n;
}

errno_t fd_read(int fd, void *buf, size_t n, size_t *got)
{
	errno_t rc;
	fake_fd_t *f = fake_get(fd, &rc);
	*got = 0;
	if (!f)
		return rc;
	n = fake_limit(f, n);
	if (f->console) {
		const char *in = f->input ? f->input : "";
		size_t k = 0;
		while (k < n && in[f->in_pos]) {
			char c = in[f->in_pos++];
			((char *) buf)[k++] = c;
			if (c == '\n')
				break;
		}
		*got = k;
		return EOK;
	}
	size_t k = f->off < f->size ? f->size - f->off : 0;
	k = k < n ? k : n;
	memcpy(buf, f->data + f->off, k);
	f->off += k;
	*got = k;
	return EOK;
}

errno_t fd_write(int fd, const void *buf, size_t n, size_t *done)
{
	errno_t rc;
	fake_fd_t *f = fake_get(fd, &rc);
	*done = 0;
	if (!f)
		return rc;
	n = fake_limit(f, n);
	if (f->console) {
		if (f->out_len + n > FAKE_OUT_MAX)
			return EIO;
		memcpy(f->out + f->out_len, buf, n);
		f->out_len += n;
	} else {
		if (f->append)
			f->off = f->size;
		if (f->off + n > FAKE_FILE_MAX)
			return ENOSPC;
		if (f->off > f->size)
			memset(f->data + f->size, 0, f->off - f->size);
		memcpy(f->data + f->off, buf, n);
		f->off += n;
		if (f->off > f->size)
			f->size = f->off;
	}
	f->writes += n > 0;
	f->last_write = n;
	*done = n;
	return EOK;
}

errno_t fd_seek(int fd, int64_t off, int whence, uint64_t *pos)
{
	errno_t rc;
	fake_fd_t *f = fake_get(fd, &rc);
	if (!f)
		return rc;
	if (f->console)
		return ESPIPE;
	int64_t base = whence == VFS_SEEK_SET ? 0
	    : whence == VFS_SEEK_CUR          ? (int64_t) f->off
	                                      : (int64_t) f->size;
	if (whence > (int) VFS_SEEK_END || base + off < 0)
		return EINVAL;
	f->off = (size_t) (base + off);
	*pos = f->off;
	return EOK;
}

errno_t fd_close(int fd)
{
	errno_t rc;
	fake_fd_t *f = fake_get(fd, &rc);
	if (f)
		f->open = false;
	return rc;
}

bool fd_is_console(int fd)
{
	return fd >= 0 && fd < FAKE_FDS && fake[fd] && fake[fd]->console;
}

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

/* --- streams --- */

static bool test_mode_parse(void)
{
	static const struct {
		const char *mode;
		errno_t rc;
		unsigned oflags, sflags;
	} cases[] = {
		{ "r", EOK, VFS_O_RDONLY, STREAM_READ },
		{ "rb", EOK, VFS_O_RDONLY, STREAM_READ },
		{ "w", EOK, VFS_O_WRONLY | VFS_O_CREAT | VFS_O_TRUNC, STREAM_WRITE },
		{ "a", EOK, VFS_O_WRONLY | VFS_O_CREAT | VFS_O_APPEND, STREAM_WRITE },
		{ "r+", EOK, VFS_O_RDWR, STREAM_READ | STREAM_WRITE },
		{ "w+", EOK, VFS_O_RDWR | VFS_O_CREAT | VFS_O_TRUNC, STREAM_READ | STREAM_WRITE },
		{ "a+", EOK, VFS_O_RDWR | VFS_O_CREAT | VFS_O_APPEND, STREAM_READ | STREAM_WRITE },
		{ "rb+", EOK, VFS_O_RDWR, STREAM_READ | STREAM_WRITE },
		{ "wx", EOK, VFS_O_WRONLY | VFS_O_CREAT | VFS_O_TRUNC | VFS_O_EXCL, STREAM_WRITE },
		{ "", EINVAL, 0, 0 },
		{ "x", EINVAL, 0, 0 },
		{ "rw", EINVAL, 0, 0 },
		{ "rx", EINVAL, 0, 0 },
		{ "+r", EINVAL, 0, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned o = 0, s = 0;
		errno_t rc = stream_mode_parse(cases[i].mode, &o, &s);
		if (rc != cases[i].rc ||
		    (rc == EOK && (o != cases[i].oflags || s != cases[i].sflags))) {
			tap_diag("mode \"%s\": %d %#x %#x", cases[i].mode, rc, o, s);
			return false;
		}
	}
	return true;
}

/* stdout on the console: a line per write, 256 bytes at most. */
static bool test_stream_console_lines(void)
{
	static unsigned char buf[4096];
	stream_t s;
	fake_fd_t *con = fake_open(1, true);
	stream_init(&s, 1, STREAM_WRITE | STREAM_AUTO, buf, sizeof(buf));
	TAP_CHECK_EQ(stream_write(&s, "ab", 2), 2);
	TAP_CHECK_EQ(con->writes, 0);
	TAP_CHECK_EQ(stream_putc(&s, '\n'), '\n');
	TAP_CHECK(con->writes == 1 && con->out_len == 3 && memcmp(con->out, "ab\n", 3) == 0);
	TAP_CHECK(s.flags & STREAM_LINE);
	char line[300];
	memset(line, 'x', sizeof(line));
	for (size_t i = 0; i < sizeof(line); i++)
		stream_putc(&s, line[i]);
	TAP_CHECK(con->writes == 2 && con->last_write == STREAM_CONSOLE_BUF);
	TAP_CHECK_EQ(stream_write(&s, "c\nd", 3), 3);
	TAP_CHECK(con->writes == 3 && con->last_write == 300 - STREAM_CONSOLE_BUF + 3);
	TAP_CHECK_EQ(stream_flush(&s), EOK);
	TAP_CHECK_EQ(con->writes, 3); /* nothing was left */
	TAP_CHECK_EQ(con->out_len, 3 + 300 + 3);
	/* Not seekable: tell is ESPIPE. */
	int64_t pos;
	TAP_CHECK_EQ(stream_tell(&s, &pos), ESPIPE);
	fake_close_all();
	return true;
}

/* A console read gives a line at a time; the end is sticky. */
static bool test_stream_console_input(void)
{
	static unsigned char buf[64];
	stream_t s;
	char line[16];
	fake_fd_t *con = fake_open(0, true);
	con->input = "hello\nworld, a long line\n";
	stream_init(&s, 0, STREAM_READ | STREAM_AUTO, buf, sizeof(buf));
	TAP_CHECK(stream_gets(&s, line, sizeof(line)) && strcmp(line, "hello\n") == 0);
	TAP_CHECK(stream_gets(&s, line, sizeof(line)) && strcmp(line, "world, a long l") == 0);
	TAP_CHECK(stream_gets(&s, line, sizeof(line)) && strcmp(line, "ine\n") == 0);
	TAP_CHECK(!stream_gets(&s, line, sizeof(line)) && line[0] == '\0');
	TAP_CHECK(s.flags & STREAM_EOF);
	con->input = "more\n";
	con->in_pos = 0;
	TAP_CHECK_EQ(stream_getc(&s), -1);
	fake_close_all();
	return true;
}

/* Full buffering: writes of the buffer's size; a big write goes straight. */
static bool test_stream_full_buffering(void)
{
	unsigned char buf[16], data[64];
	stream_t s;
	fake_fd_t *f = fake_open(3, false);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char) i;
	stream_init(&s, 3, STREAM_READ | STREAM_WRITE, buf, sizeof(buf));
	TAP_CHECK_EQ(stream_write(&s, data, 10), 10);
	TAP_CHECK_EQ(f->writes, 0);
	TAP_CHECK_EQ(stream_write(&s, data + 10, 10), 10);
	TAP_CHECK(f->writes == 1 && f->last_write == 16);
	TAP_CHECK_EQ(stream_write(&s, data + 20, 40), 40);
	TAP_CHECK(f->writes == 3 && f->last_write == 28);
	TAP_CHECK_EQ(f->size, 60);
	TAP_CHECK_EQ(stream_write(&s, data + 60, 4), 4);
	int64_t pos;
	TAP_CHECK_EQ(stream_tell(&s, &pos), EOK);
	TAP_CHECK_EQ(pos, 64);
	TAP_CHECK(f->size == 64 && memcmp(f->data, data, 64) == 0);
	/* Unbuffered: every write at once. */
	TAP_CHECK_EQ(stream_buffer_set(&s, NULL, 0, false), EOK);
	unsigned w = f->writes;
	TAP_CHECK_EQ(stream_putc(&s, 'z'), 'z');
	TAP_CHECK_EQ(f->writes, w + 1);
	fake_close_all();
	return true;
}

/* Errors set the indicator and keep their code; reads and writes stop. */
static bool test_stream_errors(void)
{
	unsigned char buf[8];
	stream_t s;
	fake_fd_t *f = fake_open(3, false);
	stream_init(&s, 3, STREAM_WRITE, buf, sizeof(buf));
	f->fail_after = 0;
	f->fail_rc = ENOSPC;
	TAP_CHECK_EQ(stream_write(&s, "0123456789", 10), 0);
	TAP_CHECK((s.flags & STREAM_ERR) && s.err == ENOSPC);
	/* Reading a write-only stream is EBADF. */
	f->fail_after = -1;
	char c;
	TAP_CHECK_EQ(stream_read(&s, &c, 1), 0);
	TAP_CHECK_EQ(s.err, EBADF);
	stream_init(&s, 3, STREAM_READ, buf, sizeof(buf));
	TAP_CHECK_EQ(stream_putc(&s, 'x'), -1);
	TAP_CHECK_EQ(s.err, EBADF);
	f->fail_after = 0;
	f->fail_rc = EIO;
	TAP_CHECK_EQ(stream_getc(&s), -1);
	TAP_CHECK((s.flags & STREAM_ERR) && !(s.flags & STREAM_EOF) && s.err == EIO);
	fake_close_all();
	return true;
}

/* O_APPEND: every write lands at the end, wherever the stream was. */
static bool test_stream_append(void)
{
	unsigned char buf[8];
	stream_t s;
	char got[16] = "";
	fake_fd_t *f = fake_open(3, false);
	f->append = true;
	memcpy(f->data, "base", 4);
	f->size = 4;
	stream_init(&s, 3, STREAM_READ | STREAM_WRITE, buf, sizeof(buf));
	TAP_CHECK_EQ(stream_read(&s, got, 2), 2);
	TAP_CHECK_EQ(stream_write(&s, "++", 2), 2);
	TAP_CHECK_EQ(stream_seek(&s, 0, VFS_SEEK_SET), EOK);
	TAP_CHECK_EQ(stream_read(&s, got, 10), 6);
	TAP_CHECK(memcmp(got, "base++", 6) == 0 && (s.flags & STREAM_EOF));
	int64_t pos;
	TAP_CHECK_EQ(stream_tell(&s, &pos), EOK);
	TAP_CHECK_EQ(pos, 6);
	fake_close_all();
	return true;
}

/* --- the randomized stream test --- */

typedef struct smodel {
	unsigned char *data;
	size_t size, pos;
	bool eof;
} smodel_t;

static uint64_t rnd_state;

static uint64_t rnd(uint64_t bound)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state % bound;
}

static void smodel_write(smodel_t *m, const unsigned char *p, size_t n)
{
	if (m->pos > m->size)
		memset(m->data + m->size, 0, m->pos - m->size);
	memcpy(m->data + m->pos, p, n);
	m->pos += n;
	if (m->pos > m->size)
		m->size = m->pos;
}

/* What a read of @a n bytes should give: how many, checked against @a got. */
static bool smodel_read(smodel_t *m, const unsigned char *got, size_t n, size_t len)
{
	size_t avail = m->eof || m->pos >= m->size ? 0 : m->size - m->pos;
	size_t want = avail < n ? avail : n;
	if (len != want || memcmp(got, m->data + m->pos, want) != 0) {
		tap_diag("read %zu at %zu: got %zu, want %zu", n, m->pos, len, want);
		return false;
	}
	m->pos += want;
	if (want < n)
		m->eof = true;
	return true;
}

static bool stream_random_putc(stream_t *s, smodel_t *m)
{
	unsigned char b = (unsigned char) rnd(256);
	TAP_CHECK_EQ(stream_putc(s, b), b);
	smodel_write(m, &b, 1);
	return true;
}

/* One random operation on @a s, checked against @a m. */
static bool stream_random_op(stream_t *s, smodel_t *m, fake_fd_t *f, unsigned char *tmp)
{
	size_t n = (size_t) rnd(3 * (s->size + 1)) + 1;
	int64_t pos;
	switch (rnd(8)) {
	case 0:
	case 1:
		for (size_t i = 0; i < n; i++)
			tmp[i] = (unsigned char) rnd(256);
		TAP_CHECK_EQ(stream_write(s, tmp, n), n);
		smodel_write(m, tmp, n);
		return true;
	case 2:
		return smodel_read(m, tmp, n, stream_read(s, tmp, n));
	case 3: {
		int c = stream_getc(s);
		unsigned char b = (unsigned char) c;
		if (!smodel_read(m, &b, 1, c < 0 ? 0 : 1))
			return false;
		if (c >= 0 && rnd(2)) {
			TAP_CHECK(stream_ungetc(s, c));
			m->pos--;
		}
		return true;
	}
	case 4:
		return stream_random_putc(s, m);
	case 5: {
		int whence = (int) rnd(3);
		int64_t base = whence == 0 ? 0 : whence == 1 ? (int64_t) m->pos : (int64_t) m->size;
		int64_t off = (int64_t) rnd(m->size + 64) - base;
		TAP_CHECK_EQ(stream_seek(s, off, whence), EOK);
		m->pos = (size_t) (base + off);
		m->eof = false;
		return true;
	}
	case 6:
		TAP_CHECK_EQ(stream_tell(s, &pos), EOK);
		TAP_CHECK_EQ(pos, m->pos);
		return true;
	default:
		if (rnd(4))
			return stream_random_putc(s, m);
		TAP_CHECK_EQ(stream_flush(s), EOK);
		TAP_CHECK_EQ(f->size, m->size);
		TAP_CHECK(memcmp(f->data, m->data, m->size) == 0);
		return true;
	}
}

static bool test_stream_random(void)
{
	static const size_t sizes[] = { 1, 2, 7, 16, 64, 4096 };
	static const size_t limits[] = { 0, 1, 3, 100 };
	smodel_t m = { .data = calloc(1, FAKE_FILE_MAX) };
	unsigned char *tmp = malloc(3 * 4097 + 1);
	rnd_state = 0x1234567887654321ULL;
	for (unsigned round = 0; round < 48; round++) {
		size_t size = sizes[round % 6];
		unsigned char *buf = malloc(size);
		stream_t s;
		fake_fd_t *f = fake_open(3, false);
		f->max_io = limits[round / 6 % 4];
		m.size = m.pos = 0;
		m.eof = false;
		stream_init(&s, 3, STREAM_READ | STREAM_WRITE, buf, size);
		for (unsigned op = 0; op < 3000; op++) {
			if (!stream_random_op(&s, &m, f, tmp)) {
				tap_diag("round %u (buffer %zu, io %zu) op %u", round, size,
				    f->max_io, op);
				return false;
			}
		}
		TAP_CHECK_EQ(stream_flush(&s), EOK);
		TAP_CHECK(f->size == m.size && memcmp(f->data, m.data, m.size) == 0);
		fake_close_all();
		free(buf);
	}
	free(m.data);
	free(tmp);
	return true;
}

int main(void)
{
	static const tap_case_t cases[] = {
		{ "fdtab", test_fdtab },
		{ "handoff_word", test_handoff_word },
		{ "dirbuf", test_dirbuf },
		{ "mode_parse", test_mode_parse },
		{ "stream_console_lines", test_stream_console_lines },
		{ "stream_console_input", test_stream_console_input },
		{ "stream_full_buffering", test_stream_full_buffering },
		{ "stream_errors", test_stream_errors },
		{ "stream_append", test_stream_append },
		{ "stream_random", test_stream_random },
	};
	return tap_run(cases, sizeof(cases) / sizeof(cases[0]));
}
