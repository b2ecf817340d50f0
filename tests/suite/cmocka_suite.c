/* cmocka_suite.c - a cmocka suite with every kind of case the cage must
 * handle, in two groups; only the one changed call differs from cmocka. */
#include <testcage/cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define GROUP_FILE "/tmp/testcage-suite-group-file"

static int counter; /* a case that changes it must not be seen by the next */
static void *volatile sink;

static void passes(void **state)
{
    (void)state;
    assert_int_equal(2, 1 + 1);
}

static void fails(void **state)
{
    (void)state;
    printf("output of the failing case\n");
    assert_int_equal(41, 42);
}

static void skips(void **state)
{
    (void)state;
    skip();
}

static void crashes(void **state)
{
    (void)state;
    raise(SIGSEGV);
}

static void aborts(void **state)
{
    (void)state;
    abort();
}

static void hangs(void **state)
{
    (void)state;
    for (;;)
        pause();
}

static void mutates_state(void **state)
{
    (void)state;
    assert_int_equal(counter, 0);
    counter = 42;
}

static void sees_fresh_state(void **state)
{
    (void)state;
    assert_int_equal(counter, 0);
}

/* Forks a daemon that outlives the case: the cage must report and kill it. */
static void leaks_daemon(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        setsid();
        execlp("sleep", "sleep", "1000", (char *)NULL);
        _exit(127);
    }
}

static void leak_file(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "leak", 4), 4);
    close(fd);
}

static void leaks_tmp_file(void **state)
{
    (void)state;
    leak_file("/tmp/testcage-suite-leak");
}

static void leaks_shm_file(void **state)
{
    (void)state;
    leak_file("/dev/shm/testcage-suite-leak");
}

/* valgrind must find this block definitely lost. */
static void leaks_malloc(void **state)
{
    (void)state;
    sink = malloc(100);
    memset(sink, 1, 100);
    sink = NULL;
}

static void sees_group_file(void **state)
{
    (void)state;
    struct stat st;
    assert_int_equal(stat(GROUP_FILE, &st), 0);
}

static int group_setup(void **state)
{
    (void)state;
    int fd = open(GROUP_FILE, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0)
        return -1; /* a file left by another case would make this fail */
    close(fd);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    return unlink(GROUP_FILE);
}

int main(void)
{
    const struct CMUnitTest basic[] = {
        cmocka_unit_test(passes),  cmocka_unit_test(fails),  cmocka_unit_test(skips),
        cmocka_unit_test(crashes), cmocka_unit_test(aborts), cmocka_unit_test(hangs),
    };
    const struct CMUnitTest isolation[] = {
        cmocka_unit_test(mutates_state),   cmocka_unit_test(sees_fresh_state),
        cmocka_unit_test(leaks_daemon),    cmocka_unit_test(leaks_tmp_file),
        cmocka_unit_test(leaks_shm_file),  cmocka_unit_test(leaks_malloc),
        cmocka_unit_test(sees_group_file),
    };
    int failed = testcage_run_group_tests(basic, NULL, NULL);
    failed += testcage_run_group_tests(isolation, group_setup, group_teardown);
    return failed;
}
