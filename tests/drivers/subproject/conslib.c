/* conslib.c - the consumer's own library (must stay static). */
int conslib_answer(void);
int conslib_answer(void)
{
    return 42;
}
