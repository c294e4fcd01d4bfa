#!/usr/bin/env bash
# Run every test suite and print, as the last line, "N passed, N failed"
# summed over all suites.  Exits non-zero if anything failed or a suite did
# not run.  Installs missing Debian packages, configures and builds first.
#
#   tools/test.sh                  everything
#   KTEST=NAME[,NAME] tools/test.sh  only these kernel tests (plus the rest)
#   UTEST=NAME[,NAME] tools/test.sh  only these user tests (plus the rest)
#   SUITES=ext2,fs tools/test.sh     only these suites (a partial run; the
#                                    default, all of them, is the test)
#
# Suites: format (clang-format of every C file), lockcheck (clang's lock
# analysis over the kernel), host (unit tests with
# ASan/UBSan through meson test), boot (the system boots to idle and powers
# off; the sampling profiler names samples), crash (an unexpected exception and a panic are reported and reach
# the host as the panic verdict), kernel (in-kernel tests in QEMU, TAP on
# the serial port), user (the user-space test suite, uspace/app/tester),
# virtio, ext2, fs (the file API on the storage stack, two boots, the disk
# checked by e2fsck -fn after each), shell (a session typed into the shell
# through the serial line).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=deps.sh
source "$top/tools/deps.sh"
deps_install || { echo "test.sh: could not install packages"; echo "0 passed, 1 failed"; exit 2; }
build_all || { echo "test.sh: build failed"; echo "0 passed, 1 failed"; exit 1; }
logs=$BUILD_DIR/test-logs
mkdir -p "$logs"

total_pass=0 total_fail=0 broken=0
record() { # suite passed failed [note]
	printf '%-9s %4d passed, %d failed %s\n' "$1" "$2" "$3" "${4:-}" >> "$logs/summary"
	total_pass=$((total_pass + $2))
	total_fail=$((total_fail + $3))
}
: > "$logs/summary"

# Count TAP results in a log: prints "planned passed failed".
tap_count() {
	tr -d '\r' < "$1" | awk '
		/^1\.\.[0-9]+/ { split($0, a, "\\.\\."); plan += a[2] }
		/^ok [0-9]+/ { pass++ }
		/^not ok [0-9]+/ { fail++ }
		END { printf "%d %d %d\n", plan, pass, fail }'
}

suite_format() {
	local files bad=0 n=0
	: > "$logs/format.log"
	files=$(git ls-files '*.c' '*.h' 2>/dev/null || find kernel abi tests uspace -name '*.[ch]')
	for f in $files; do
		n=$((n + 1))
		clang-format --dry-run --Werror "$f" > /dev/null 2>> "$logs/format.log" || {
			echo "format: $f is not clang-formatted" >&2
			bad=$((bad + 1))
		}
	done
	if [ $n -eq 0 ]; then
		echo "format: no C files found to check" >&2
		broken=1
		bad=1
	fi
	record format $((n - bad)) $bad "(files)"
}

# The lock rules (kernel/generic/include/synch/lockcheck.h): every kernel C
# file is compiled by clang with -Wthread-safety -Werror, syntax and
# analysis only (GCC builds the kernel), with the flags meson gives it in
# compile_commands.json.  One count per file, plus one for a known
# violation that must be caught (the analysis is really on).  Files being
# rewritten on other branches whose lock hand-overs are not annotated yet
# are skipped and named in the summary (ipc.c needs RELEASE(box->lock) on
# ipc_box_wait_any and REQUIRES(box->lock) on ipc_box_wait_cookie).
LOCKCHECK_SKIP=()
suite_lockcheck() {
	local out pass=0 fail=0
	: > "$logs/lockcheck.log"
	if ! command -v clang > /dev/null; then
		echo "lockcheck: clang is not installed" >&2
		broken=1
		record lockcheck 0 1
		return
	fi
	out=$(python3 - "$BUILD_DIR" "$top" "${LOCKCHECK_SKIP[@]}" 2>> "$logs/lockcheck.log" <<'PY'
import json, os, shlex, subprocess, sys
build, top, skip = sys.argv[1], sys.argv[2], set(sys.argv[3:])

def clang_args(entry):
    """The GCC command of one kernel object as a clang syntax-only check."""
    args, out, drop = shlex.split(entry['command']), ['clang'], 0
    for a in args[1:]:
        if drop:
            drop -= 1
        elif a in ('-MQ', '-MF', '-o'):
            drop = 1
        elif a not in ('-MD', '-c', entry['file']) and not a.startswith('-fdiagnostics-color'):
            out.append(a)
    return out + ['-fsyntax-only', '-Wthread-safety', '-Werror']

def check(args, cwd, src=None, stdin=None):
    r = subprocess.run(args + [src or '-'], cwd=cwd, input=stdin, capture_output=True, text=True)
    return r.returncode, r.stderr

entries = [e for e in json.load(open(os.path.join(build, 'compile_commands.json')))
           if '/kernel.elf.p/' in e['command'] and e['file'].endswith('.c')]
passed = failed = 0
for e in entries:
    rel = os.path.relpath(os.path.join(e['directory'], e['file']), top)
    if rel in skip:
        continue
    rc, err = check(clang_args(e), e['directory'], e['file'])
    if rc == 0:
        passed += 1
    else:
        failed += 1
        sys.stderr.write(f"lockcheck: {rel}\n{err}")
# A violation the analysis must report: a guarded write without the lock.
probe = ('#include <synch/mutex.h>\nstatic mutex_t m;\nstatic int x GUARDED_BY(m);\n'
         'void probe(void);\nvoid probe(void) { mutex_lock(&m); mutex_unlock(&m); x = 1; }\n')
if entries:
    rc, err = check(clang_args(entries[0]) + ['-x', 'c'], entries[0]['directory'], stdin=probe)
    if rc != 0 and 'requires holding mutex' in err:
        passed += 1
    else:
        failed += 1
        sys.stderr.write("lockcheck: a write without its lock was not reported\n" + err)
print(passed, failed, len(entries))
PY
	)
	local files=0
	read -r pass fail files <<< "$out"
	if [ "${files:-0}" -eq 0 ]; then
		echo "lockcheck: no kernel C files in $BUILD_DIR/compile_commands.json" >&2
		broken=1
		fail=$((${fail:-0} + 1))
	fi
	[ "${fail:-0}" -gt 0 ] && echo "lockcheck: lock rule violations (see $logs/lockcheck.log)" >&2
	local skipped=""
	[ ${#LOCKCHECK_SKIP[@]} -gt 0 ] && skipped="; skipped: ${LOCKCHECK_SKIP[*]##*/generic/}"
	record lockcheck "${pass:-0}" "${fail:-0}" "(kernel C files + 1 probe$skipped)"
}

suite_host() {
	meson test -C "$BUILD_DIR" --suite host --print-errorlogs > "$logs/host.log" 2>&1
	local rc=$?
	python3 - "$BUILD_DIR/meson-logs/testlog.json" > "$logs/host.tap" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    t = json.loads(line)
    print(f"# {t['name']}: {t['result']}")
    print(t.get('stdout', ''))
PY
	read -r plan pass fail < <(tap_count "$logs/host.tap")
	if [ "$plan" -eq 0 ] || [ $((pass + fail)) -ne "$plan" ] || { [ $rc -ne 0 ] && [ "$fail" -eq 0 ]; }; then
		echo "host: suite broken (meson test exit $rc, plan $plan, ran $((pass + fail)))" >&2
		broken=1
		fail=$((fail + (plan > pass + fail ? plan - pass - fail : 1)))
	fi
	record host "$pass" "$fail"
}

# A fresh copy of the root image (tools/mkrootfs.sh) in FILE: from a
# pristine one of the tests' own, made when it is missing or older than
# rootfs/ (tools/run.sh's build/root.img is written by the guest).
root_image() {
	local pristine=$BUILD_DIR/root-pristine.img
	"$top/tools/mkrootfs.sh" --check "$pristine" || "$top/tools/mkrootfs.sh" "$pristine" ||
		return
	cp "$pristine" "$1"
}

suite_boot() {
	local pass=0 fail=0 root=$BUILD_DIR/boot-root.img
	# The image boots as tools/run.sh boots it: with the root image (a
	# copy) as its virtio disk, which the ext2 server mounts.
	root_image "$root"
	if "$top/tools/qemu.sh" --cmdline "poweroff" --timeout 60 --log "$logs/boot.log" \
		--disk "$root" > /dev/null 2>&1 &&
		grep -q "kernel: up after" "$logs/boot.log" && grep -q "^init: started" "$logs/boot.log"; then
		pass=$((pass + 1))
	else
		echo "boot: the system did not come up (see $logs/boot.log)" >&2
		fail=$((fail + 1))
	fi
	if grep -q "^ext2: disk0: mounted, 64 MiB, 4096-byte blocks, [0-9]* free blocks, [0-9]* free inodes" \
		"$logs/boot.log"; then
		pass=$((pass + 1))
	else
		echo "boot: the ext2 server did not mount disk0 (see $logs/boot.log)" >&2
		fail=$((fail + 1))
	fi
	# devman lists the PCI functions at boot, the disk among them with the
	# size of its 64-bit BAR, and matches its driver.
	if grep -q "^devman: 00:0[0-9a-f].0 1af4:1001 .* mem64 0x[0-9a-f]*+0x4000" "$logs/boot.log" &&
		grep -Eq "^devman: 00:0[0-9a-f].0: (started|cannot start) virtio-blk" "$logs/boot.log"; then
		pass=$((pass + 1))
	else
		echo "boot: devman did not list the disk (see $logs/boot.log)" >&2
		fail=$((fail + 1))
	fi
	# The sampling profiler (prof=N, tools/prof.sh): samples are taken,
	# dumped at the end of the run and named by tools/prof.py.
	local prof=$logs/boot-prof.log
	if "$top/tools/qemu.sh" --cmdline "bench=null_syscall prof=20" --timeout 120 --log "$prof" \
		> /dev/null 2>&1 && "$top/tools/prof.py" "$prof" --top 100000 > "$prof.txt" &&
		awk '$2 == "samples" && $1 >= 20 { ok = 1 } END { exit !ok }' "$prof.txt" &&
		grep -q " bench *user:" "$prof.txt" && grep -q " kernel:" "$prof.txt"; then
		pass=$((pass + 1))
	else
		echo "boot: the profiler gave no named samples (see $prof, $prof.txt)" >&2
		fail=$((fail + 1))
	fi
	record boot "$pass" "$fail"
}

# The fatal paths: an unexpected exception and a panic must each print
# their report and hand the panic verdict (qemu.sh status 2) to the host.
suite_crash() {
	local how pass=0 fail=0 rc
	for how in pf ud stack panic; do
		"$top/tools/qemu.sh" --cmdline "crash=$how" --timeout 60 --log "$logs/crash-$how.log" \
			> /dev/null 2>&1
		rc=$?
		if [ $rc -eq 2 ] && grep -aq -e "unexpected exception" -e "kernel panic at" \
			"$logs/crash-$how.log" && grep -aq "^    0xffffffff8" "$logs/crash-$how.log"; then
			pass=$((pass + 1))
		else
			echo "crash=$how: expected a report and the panic verdict, got status $rc" >&2
			fail=$((fail + 1))
		fi
	done
	record crash $pass $fail
}

# A suite that runs in QEMU and prints TAP on the serial port:
#   qemu_tap_suite NAME CMDLINE TIMEOUT [qemu.sh options...]
# A crash, a timeout or a missing result counts the missing tests as failed.
qemu_tap_suite() {
	local name=$1 cmdline=$2 timeout=$3 log=$logs/$1.log rc
	shift 3
	"$top/tools/qemu.sh" --cmdline "$cmdline" --timeout "$timeout" --log "$log" "$@" \
		> /dev/null 2>&1
	rc=$?
	read -r plan pass fail < <(tap_count "$log")
	grep -a "^not ok\|FAIL" "$log" | tr -d '\r' >&2
	if [ "$plan" -eq 0 ] || [ $((pass + fail)) -ne "$plan" ] || { [ $rc -ne 0 ] && [ "$fail" -eq 0 ]; }; then
		echo "$name: suite broken (qemu.sh exit $rc, plan $plan, ran $((pass + fail)))" >&2
		tail -n 30 "$log" | tr -d '\r' >&2
		broken=1
		fail=$((fail + (plan > pass + fail ? plan - pass - fail : 1)))
	fi
	record "$name" "$pass" "$fail"
}

# The kernel tests; the fixture module lets the boot-information tests
# check module parsing and that module memory is never handed out.
suite_kernel() {
	qemu_tap_suite kernel "test=${KTEST:-all}" 300 \
		--module "$top/tests/fixtures/bootmod.txt fixture-arg"
}

# The user test suite: the kernel starts the module "tester" with the
# selection (utest=...), which prints TAP and ends; the kernel powers off
# with its verdict.  The serial line carries the console fixture, which
# the test console_serial reads back (docs/drivers.md "Console input");
# when that test ran, the host also checks that the input arrived and
# that the console server echoed the edited line.
suite_user() {
	qemu_tap_suite user "utest=${UTEST:-all}" 600 \
		--serial-in "$top/tests/fixtures/console-input.txt"
	local log=$logs/user.log pass=0 fail=0
	grep -aq "^ok [0-9]* - console_serial" "$log" || return 0
	if grep -aq "console_serial: no serial input" "$log"; then
		echo "console: the serial input did not reach the guest" >&2
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
	if grep -aqF "$(printf 'abc\b \bd\b \be')" "$log"; then
		pass=$((pass + 1))
	else
		echo "console: the echo of the edited line is not in $log" >&2
		fail=$((fail + 1))
	fi
	record console $pass $fail "(host checks of console_serial)"
}

# The virtio-blk driver on QEMU's disks (docs/drivers.md, "virtio-blk"):
# the guest tests hw_virtio_* (uspace/app/tester/test_block.c) read every
# block, write, misuse the protocol and run four clients at once, on a
# transitional disk0 beside a modern disk1, on a modern disk0 alone and on
# a read-only disk0.  After each run QEMU powers off and the host checks
# every byte of each image (tools/mkdisk.sh --check): the tests' writes
# exactly where they put them, the pattern everywhere else.  Fresh 4 MiB
# images each time.  The kernel word "devman" starts the device manager
# (which starts the drivers) in a test run.  Skipped, and said so, while
# the image has no driver.
virtio_check() { # image seed from to
	if "$top/tools/mkdisk.sh" --check --seed "$2" "$1" "$3" "$4" >> "$logs/virtio-host.log" 2>&1; then
		vpass=$((vpass + 1))
	else
		echo "virtio: $1 [$3, $4) does not hold seed $2's pattern (see $logs/virtio-host.log)" >&2
		vfail=$((vfail + 1))
	fi
}
suite_virtio() {
	local d=$BUILD_DIR/virtio-test vpass=0 vfail=0 i q=524288
	if ! grep -q "/virtio-blk " "$BUILD_DIR/boot/recipe.txt"; then
		echo "virtio: skipped: the image has no virtio-blk driver yet" >&2
		record virtio 0 0 "(skipped: no virtio-blk driver in the image)"
		return
	fi
	: > "$logs/virtio-host.log"
	mkdir -p "$d"
	# Transitional disk0 (seed 0) and modern disk1 (seed 3).
	"$top/tools/mkdisk.sh" --size 4 "$d/disk0.img" && "$top/tools/mkdisk.sh" --size 4 --seed 3 "$d/disk1.img"
	qemu_tap_suite virtio "devman utest=hw_virtio_rw,hw_virtio_clients4,hw_virtio_second" 300 \
		--disk "$d/disk0.img" --disk "$d/disk1.img,modern"
	virtio_check "$d/disk0.img" 0 0 1048576
	virtio_check "$d/disk0.img" 2 1048576 1179648 # hw_virtio_rw: blocks 2048..2303
	virtio_check "$d/disk0.img" 0 1179648 2097152
	for i in 0 1 2 3; do # hw_virtio_clients4: quarter i of blocks 4096..8191
		virtio_check "$d/disk0.img" $((16 + i * 6 + 5)) $((2097152 + i * q)) $((2097152 + (i + 1) * q))
	done
	virtio_check "$d/disk1.img" 3 0 65536
	virtio_check "$d/disk1.img" 4 65536 131072 # hw_virtio_second: blocks 128..255
	virtio_check "$d/disk1.img" 3 131072 4194304
	# A modern disk0 alone; its driver is killed in the middle of I/O and
	# started again, and made to fault until devman gives up restarting it
	# (hw_virtio_driver_killed and hw_virtio_driver_faults only read).
	"$top/tools/mkdisk.sh" --size 4 "$d/disk0.img"
	qemu_tap_suite virtio-modern "devman utest=hw_virtio_rw,hw_virtio_driver_killed,hw_virtio_driver_faults" 300 \
		--disk "$d/disk0.img,modern"
	virtio_check "$d/disk0.img" 0 0 1048576
	virtio_check "$d/disk0.img" 2 1048576 1179648
	virtio_check "$d/disk0.img" 0 1179648 4194304
	# Three disks: the second and third share an IRQ line (QEMU's routing).
	"$top/tools/mkdisk.sh" --size 4 "$d/disk0.img"
	"$top/tools/mkdisk.sh" --size 4 --seed 5 "$d/disk1.img"
	"$top/tools/mkdisk.sh" --size 4 --seed 6 "$d/disk2.img"
	qemu_tap_suite virtio-shared "devman utest=hw_virtio_shared_irq" 300 \
		--disk "$d/disk0.img" --disk "$d/disk1.img,modern" --disk "$d/disk2.img"
	for i in 0 1 2 3; do # quarter i of blocks 0..4095 on both: BLK_SEED_LAST(i)
		virtio_check "$d/disk1.img" $((16 + i * 6 + 5)) $((i * q)) $(((i + 1) * q))
		virtio_check "$d/disk2.img" $((16 + i * 6 + 5)) $((i * q)) $(((i + 1) * q))
	done
	virtio_check "$d/disk1.img" 5 2097152 4194304
	virtio_check "$d/disk2.img" 6 2097152 4194304
	virtio_check "$d/disk0.img" 0 0 4194304
	# A read-only disk0: not one byte changes.
	"$top/tools/mkdisk.sh" --size 4 "$d/disk0.img"
	qemu_tap_suite virtio-ro "devman utest=hw_virtio_readonly" 300 --disk "$d/disk0.img,readonly"
	virtio_check "$d/disk0.img" 0 0 4194304
	# A modern disk0 whose reads of block 1000 fail in the device
	# (ioerr=, QEMU's blkdebug): hw_virtio_ioerr only reads.
	"$top/tools/mkdisk.sh" --size 4 "$d/disk0.img"
	qemu_tap_suite virtio-err "devman utest=hw_virtio_ioerr" 300 --disk "$d/disk0.img,modern,ioerr=1000"
	virtio_check "$d/disk0.img" 0 0 4194304
	record virtio-host "$vpass" "$vfail" "(image bytes checked on the host)"
}

# The ext2 server (docs/ext2.md, "The ext2 server") alone, with the tester
# as its VFS (uspace/app/tester/test_ext2srv.c), on three disks: disk0 a
# fresh copy of the root image, disk1 the same tree made as ext4 (the
# server must refuse it naming the features, and write nothing), disk2 as
# ext2 with huge_file (served read-only, nothing written).  Afterwards the
# host checks disk0 with its own tools: e2fsck -fn finds nothing, the
# volume was unmounted clean, and debugfs shows what the guest wrote, byte
# for byte; disk1 and disk2 are byte for byte what mkrootfs.sh made.
ext2_host_check() { # description command...
	local what=$1
	shift
	if "$@" >> "$logs/ext2-host.log" 2>&1; then
		epass=$((epass + 1))
	else
		echo "ext2: $what (see $logs/ext2-host.log)" >&2
		efail=$((efail + 1))
	fi
}
# debugfs -R "cat PATH" of IMAGE is exactly the bytes python3 EXPR makes
ext2_cat_is() { # image path python-expression
	debugfs -R "cat $2" "$1" 2> /dev/null | python3 -c '
import sys
got, want = sys.stdin.buffer.read(), eval(sys.argv[1])
print("%s: %d bytes, want %d, %s" % (sys.argv[2], len(got), len(want), "same" if got == want else "DIFFERENT"))
sys.exit(got != want)' "$3" "$2"
}
ext2_ls_is() { # image dir names...: the directory holds exactly these
	local img=$1 dir=$2
	shift 2
	[ "$(debugfs -R "ls -p $dir" "$img" 2> /dev/null | awk -F/ 'NF > 6 { print $6 }' |
		LC_ALL=C sort | tr '\n' ' ')" = "$(printf '%s\n' . .. "$@" | LC_ALL=C sort | tr '\n' ' ')" ]
}
suite_ext2() {
	local d=$BUILD_DIR/ext2-test epass=0 efail=0 log=$logs/ext2.log
	if ! grep -q "/ext2 " "$BUILD_DIR/boot/recipe.txt"; then
		echo "ext2: the image has no ext2 server" >&2
		broken=1
		record ext2 0 1
		return
	fi
	: > "$logs/ext2-host.log"
	mkdir -p "$d"
	root_image "$d/root.img" && "$top/tools/mkrootfs.sh" --type ext4 "$d/ext4.img" &&
		"$top/tools/mkrootfs.sh" --features huge_file "$d/ro.img" &&
		cp "$d/ext4.img" "$d/ext4.orig" && cp "$d/ro.img" "$d/ro.orig" ||
		{ echo "ext2: could not make the images" >&2; broken=1; record ext2 0 1; return; }
	qemu_tap_suite ext2 "devman utest=hw_ext2_server,hw_ext2_refused,hw_ext2_readonly" 300 \
		--disk "$d/root.img" --disk "$d/ext4.img" --disk "$d/ro.img"
	local r=$d/root.img
	ext2_host_check "e2fsck -fn found errors on disk0" e2fsck -fn "$r"
	ext2_host_check "disk0 was not unmounted clean, once" sh -c \
		"dumpe2fs -h '$r' 2> /dev/null | grep -q '^Filesystem state: *clean\$' &&
		 dumpe2fs -h '$r' 2> /dev/null | grep -q '^Mount count: *1\$'"
	ext2_host_check "/tmp/guest.bin differs" ext2_cat_is "$r" /tmp/guest.bin \
		'bytes((i * 131 + (i >> 11)) & 0xff for i in range(150001))'
	ext2_host_check "/tmp/holes.bin differs" ext2_cat_is "$r" /tmp/holes.bin \
		'bytes(5 * 1024 * 1024) + b"hole-end\n"'
	ext2_host_check "/tmp/kept/inner.txt differs" ext2_cat_is "$r" /tmp/kept/inner.txt 'b"kept\n"'
	ext2_host_check "/tmp/kept/b.txt differs" ext2_cat_is "$r" /tmp/kept/b.txt 'b"renamed\n"'
	ext2_host_check "/tmp/hard differs" ext2_cat_is "$r" /tmp/hard \
		'b"Hello from the root file system.\n"'
	ext2_host_check "/tmp/sym is not the symlink written" sh -c \
		"debugfs -R 'stat /tmp/sym' '$r' 2> /dev/null | grep -q 'Fast link dest: \"../fixtures/hello.txt\"'"
	ext2_host_check "/tmp holds other names" ext2_ls_is "$r" /tmp kept hard sym guest.bin holes.bin
	ext2_host_check "the ext4 volume was not refused by name" \
		grep -aq "^ext2: disk1: cannot mount: unsupported incompatible features: extent, " "$log"
	ext2_host_check "the ext4 volume changed" cmp "$d/ext4.img" "$d/ext4.orig"
	ext2_host_check "the huge_file volume was not mounted read-only" \
		grep -aq "^ext2: disk2: read-only: unsupported read-only features: huge_file" "$log"
	ext2_host_check "the read-only volume changed" cmp "$d/ro.img" "$d/ro.orig"
	record ext2-host "$epass" "$efail" "(the images checked on the host)"
}

# The file API (docs/vfs.md "libc") on the whole storage stack: the
# kernel word fs starts devman, the ext2 server of disk0 and the VFS;
# disk0 is a fresh copy of the root image.  The first boot runs the
# hw_fs_* tests (uspace/app/tester/test_fs*.c), the torture test last,
# then hw_fs_shutdown (sync, VFS_SHUTDOWN); the host checks the image
# (e2fsck -fn, unmounted clean, a file the guest wrote read back with
# debugfs).  The second boot (hw_fs_torture_check) rebuilds the torture
# test's model from the seed it left on the disk and compares the whole
# tree again; then the host checks the image once more.
FS_TESTS=hw_fs_basic,hw_fs_links_dirs,hw_fs_stdio,hw_fs_two_writers,hw_fs_append_tasks
FS_TESTS=$FS_TESTS,hw_fs_handoff,hw_fs_long_names,hw_fs_deep,hw_fs_big_file,hw_fs_sparse
FS_TESTS=$FS_TESTS,hw_fs_fill,hw_fs_hostile,hw_fs_races,hw_fs_pager_broker,hw_fs_torture,hw_fs_shutdown
fs_host_check() { # description command...
	local what=$1
	shift
	if "$@" >> "$logs/fs-host.log" 2>&1; then
		fpass=$((fpass + 1))
	else
		echo "fs: $what (see $logs/fs-host.log)" >&2
		ffail=$((ffail + 1))
	fi
}
fs_image_clean() { # image: e2fsck -fn finds nothing, and the volume was unmounted clean
	e2fsck -fn "$1" && dumpe2fs -h "$1" 2> /dev/null | grep -q '^Filesystem state: *clean$'
}
fs_image_repairs() { # image: e2fsck -fy corrects (exit 0 or 1), then e2fsck -fn finds nothing
	e2fsck -fy "$1"
	[ $? -le 1 ] && e2fsck -fn "$1"
}
suite_fs() {
	local d=$BUILD_DIR/fs-test fpass=0 ffail=0
	if ! grep -q "/vfs " "$BUILD_DIR/boot/recipe.txt" || ! grep -q "/ext2 " "$BUILD_DIR/boot/recipe.txt"; then
		echo "fs: the image has no VFS or no ext2 server" >&2
		broken=1
		record fs 0 1
		return
	fi
	: > "$logs/fs-host.log"
	mkdir -p "$d"
	root_image "$d/root.img" ||
		{ echo "fs: could not make the image" >&2; broken=1; record fs 0 1; return; }
	qemu_tap_suite fs "fs utest=$FS_TESTS" 900 --disk "$d/root.img"
	fs_host_check "e2fsck -fn found errors, or not clean, after the first boot" \
		fs_image_clean "$d/root.img"
	fs_host_check "/fsapi/basic/hello.txt differs" ext2_cat_is "$d/root.img" \
		/fsapi/basic/hello.txt 'b"hello from the guest: mkernel wrote this file\n"'
	qemu_tap_suite fs-reboot "fs utest=hw_fs_torture_check,hw_fs_shutdown" 600 --disk "$d/root.img"
	fs_host_check "e2fsck -fn found errors, or not clean, after the second boot" \
		fs_image_clean "$d/root.img"
	# The ext2 server killed mid-write (hw_fs_server_killed; the kernel word
	# vfs: the test starts the server itself, kills it, starts it again).
	# The volume stays "not clean" (the killed server never unmounted and
	# the new one keeps the state it found): what e2fsck -fn then says goes
	# to the log as it is; e2fsck -fy must repair whatever it found, after
	# which e2fsck -fn finds nothing.
	root_image "$d/kill.img" ||
		{ echo "fs: could not make the image" >&2; broken=1; record fs-kill 0 1; return; }
	qemu_tap_suite fs-kill "vfs utest=hw_fs_server_killed" 300 --disk "$d/kill.img"
	{ echo "== fs-kill: e2fsck -fn of the killed server's volume, as it is:"
	  e2fsck -fn "$d/kill.img"; echo "== (exit $?)"; dumpe2fs -h "$d/kill.img" 2> /dev/null |
		grep '^Filesystem state'; } >> "$logs/fs-host.log" 2>&1
	fs_host_check "e2fsck -fy could not repair the killed server's volume" \
		fs_image_repairs "$d/kill.img"
	record fs-host "$fpass" "$ffail" "(e2fsck -fn after each boot, debugfs; the killed server's volume repaired)"
}

# The shell (uspace/app/sh) as a person uses it: an ordinary boot (init
# starts the shell on the console) with a fresh copy of the root image;
# tools/shell-session.py types a session into the serial line, line by
# line as the prompts come back, checks each answer (quotes, redirections,
# ls, cd/pwd, programs with arguments, a fault's report, Ctrl-C of a
# looping program, the line editor's keys and history, exit and Ctrl-D,
# sync) and ends with poweroff.  Then the host checks the disk: e2fsck -fn
# clean (poweroff unmounted it) and the file the session wrote.
suite_shell() {
	local d=$BUILD_DIR/shell-test log=$logs/shell.log res=$logs/shell.tap spass=0 sfail=0 rc
	mkdir -p "$d"
	root_image "$d/root.img" ||
		{ echo "shell: could not make the image" >&2; broken=1; record shell 0 1; return; }
	: > "$log"
	: > "$res"
	"$top/tools/qemu.sh" --disk "$d/root.img" --timeout 180 --log "$log" \
		--serial-in <("$top/tools/shell-session.py" "$log" "$res") > /dev/null 2>&1
	rc=$?
	# the session's last result may come just after QEMU has gone
	for _ in $(seq 50); do
		grep -q "^# session over" "$res" && break
		sleep 0.1
	done
	read -r plan pass fail < <(tap_count "$res")
	grep -a -A15 "^not ok" "$res" >&2
	if [ "$plan" -eq 0 ] || [ $((pass + fail)) -ne "$plan" ] || { [ $rc -ne 0 ] && [ "$fail" -eq 0 ]; }; then
		echo "shell: session broken (qemu.sh exit $rc, plan $plan, ran $((pass + fail)); see $log)" >&2
		broken=1
		fail=$((fail + (plan > pass + fail ? plan - pass - fail : 1)))
	fi
	record shell "$pass" "$fail" "(a session typed into the serial line)"
	: > "$logs/shell-host.log"
	if fs_image_clean "$d/root.img" >> "$logs/shell-host.log" 2>&1; then
		spass=$((spass + 1))
	else
		echo "shell: e2fsck -fn found errors, or not clean, after poweroff (see $logs/shell-host.log)" >&2
		sfail=$((sfail + 1))
	fi
	if ext2_cat_is "$d/root.img" /tmp/sh.txt 'b"first line\nsecond\n"' >> "$logs/shell-host.log" 2>&1; then
		spass=$((spass + 1))
	else
		echo "shell: /tmp/sh.txt is not what the session wrote (see $logs/shell-host.log)" >&2
		sfail=$((sfail + 1))
	fi
	record shell-host "$spass" "$sfail" "(e2fsck -fn after poweroff; the file written)"
}

# SUITES=a,b runs only those (by the function's name: format, host, ...).
for name in format lockcheck host boot crash kernel user virtio ext2 fs shell; do
	case ",${SUITES:-$name}," in
	*",$name,"*) "suite_$name" ;;
	esac
done

echo "--- test suites (logs in $logs)"
cat "$logs/summary"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] && [ $broken -eq 0 ]
