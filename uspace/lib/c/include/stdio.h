/*
 * Standard I/O: streams over descriptors (unistd.h), and formatting.
 *
 * stdin, stdout and stderr are streams over descriptors 0, 1 and 2.  On a
 * console descriptor (docs/vfs.md "libc") a stream is line buffered with
 * a 256-byte buffer: stdout's output reaches the kernel console at every
 * newline, when 256 bytes are waiting, on fflush() and when the task
 * exits, as printf always has.  On a file, stdout and stdin are fully
 * buffered (BUFSIZ) and stderr line buffered.  fopen()'s streams are fully
 * buffered (BUFSIZ); setvbuf() changes that.  Every call on a stream is
 * atomic with respect to the task's other threads (the stream has a
 * lock).  A stream switches between reading and writing by itself.  exit()
 * and task_exit() flush every stream.  Failures return EOF, NULL or a
 * short count and set errno (and the stream's error indicator).
 *
 * Formatting is common/'s engine (printf_core.c): flags "-+ #0", width,
 * precision, hh h l ll z t j, d i u o x X c s p %.
 */
#ifndef LIBC_STDIO_H_
#define LIBC_STDIO_H_

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

#define EOF (-1)
#define BUFSIZ 8192
#define FOPEN_MAX 64
#define FILENAME_MAX 4096

#ifndef SEEK_SET
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#endif

/* setvbuf() modes */
#define _IOFBF 0
#define _IOLBF 1
#define _IONBF 2

typedef struct stream FILE;

extern FILE *stdin;
extern FILE *stdout;
extern FILE *stderr;

/* Modes "r", "w", "a", each also with "+" ("b" is ignored; "wx"
 * O_EXCL); a new file gets permissions 0666. */
FILE *fopen(const char *path, const char *mode);
/* A stream over the open descriptor @a fd (fclose closes it). */
FILE *fdopen(int fd, const char *mode);
int fclose(FILE *f);
/* Write out what @a f (NULL: every stream) has buffered. */
int fflush(FILE *f);
size_t fread(void *ptr, size_t size, size_t n, FILE *f);
size_t fwrite(const void *ptr, size_t size, size_t n, FILE *f);
int fgetc(FILE *f);
int getc(FILE *f);
int getchar(void);
int ungetc(int c, FILE *f);
char *fgets(char *s, int size, FILE *f);
int fputc(int c, FILE *f);
int putc(int c, FILE *f);
int putchar(int c);
int fputs(const char *s, FILE *f);
/* Writes @a s and a newline to stdout. */
int puts(const char *s);
int fseek(FILE *f, long off, int whence);
long ftell(FILE *f);
void rewind(FILE *f);
int feof(FILE *f);
int ferror(FILE *f);
void clearerr(FILE *f);
int fileno(FILE *f);
/* Before any other use of @a f: @a buf (NULL: stdio allocates @a size
 * bytes) and the mode _IOFBF, _IOLBF or _IONBF. */
int setvbuf(FILE *f, char *buf, int mode, size_t size);
/* unlink(), or rmdir() for a directory. */
int remove(const char *path);
int rename(const char *oldpath, const char *newpath);
/* "@a s: the description of errno" on stderr. */
void perror(const char *s);

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
int fprintf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vfprintf(FILE *f, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* fflush(stdout) */
void stdout_flush(void);

#endif
