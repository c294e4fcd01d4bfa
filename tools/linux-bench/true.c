/*
 * The program the Linux side of the spawn benchmark starts
 * (spawnbench.c): it does nothing and exits 0, as our /bin/true
 * (uspace/app/utils/true.c).  Built static with glibc by build.sh; the
 * benchmark's disk holds it as /bin/true.
 */
int main(void)
{
	return 0;
}
