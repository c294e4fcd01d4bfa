#!/usr/bin/env python3
"""Write the C examples of README.md as files, so the build compiles them.

    extract.py README.md OUTDIR

Each ```c block of the README is one example: the one with KTEST( is the
kernel test example (OUTDIR/ktest_example.c, compiled with the kernel's
flags), the one with int main( is the user program (OUTDIR/hello.c, built
and run as the boot module readme_hello).  A C block that is neither, or
a second of a kind, fails the build: give it a place here and in
uspace/app/readme/meson.build, so no example in the README goes unbuilt.
"""
import re
import sys


def main():
    readme, outdir = sys.argv[1], sys.argv[2]
    text = open(readme, encoding='utf-8').read()
    blocks = re.findall(r'^```c\n(.*?)^```$', text, flags=re.M | re.S)
    kinds = {'ktest_example.c': 'KTEST(', 'hello.c': 'int main('}
    found = {}
    for i, block in enumerate(blocks):
        names = [n for n, mark in kinds.items() if mark in block]
        if len(names) != 1 or names[0] in found:
            sys.exit('%s: C example %d is not one of %s (or a second one): build it '
                     '(uspace/app/readme/extract.py)' % (readme, i + 1, ', '.join(kinds)))
        found[names[0]] = block
    for name in kinds:
        if name not in found:
            sys.exit('%s: no C example for %s' % (readme, name))
        with open('%s/%s' % (outdir, name), 'w', encoding='utf-8') as out:
            out.write('/* Generated from README.md by extract.py: edit the README. */\n')
            out.write(found[name])


main()
