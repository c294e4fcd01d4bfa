/* true: does nothing and exits 0 (the program the spawn benchmark starts:
 * docs/PERFORMANCE.md, "Spawn from files"; in the shell, `true && B`). */
int main(void)
{
	return 0;
}
