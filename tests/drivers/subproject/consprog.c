/* consprog.c - the consumer's test program: passes when it runs as PID 2 of a cage. */
#include <unistd.h>
int conslib_answer(void);
int main(void)
{
    return conslib_answer() == 42 && getpid() == 2 ? 0 : 1;
}
