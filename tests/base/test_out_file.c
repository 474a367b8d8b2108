/* Checked output files: a write that does not arrive is an error naming the file (a device that
 * is always full, a file size limit), the old file survives a failed replacement, symbolic links
 * and device nodes are written through and never renamed over or removed, a folder is refused;
 * a full stdout is reported with its cause. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "out_file.h"
#include "stdio_guard.h"

static char dir[] = "/tmp/tfc-test-out-XXXXXX";

static const char *in_dir(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static char *slurp(const char *path)
{
    static char buf[4096];
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    CHECK(f && fputs(text, f) >= 0 && fclose(f) == 0);
}

/* Writes text (with stdio, as the CSV and list writers do) and commits; the status's message. */
static bool write_text(const char *path, const char *text, tfc_status *st)
{
    tfc_out_file o;
    if (!tfc_out_file_open(&o, path, st)) return false;
    fputs(text, o.f);
    return tfc_out_file_commit(&o, st);
}

static int count_temporaries(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "ls -a %s | grep -c tempstate", dir);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (p && fscanf(p, "%d", &n) != 1) n = -1;
    if (p) pclose(p);
    return n;
}

static void test_new_and_replaced(void)
{
    tfc_status *st = tfc_status_new();
    CHECK(write_text(in_dir("a.txt"), "first\n", st));
    CHECK(strcmp(slurp(in_dir("a.txt")), "first\n") == 0);
    chmod(in_dir("a.txt"), 0600);
    CHECK(write_text(in_dir("a.txt"), "second\n", st));
    CHECK(strcmp(slurp(in_dir("a.txt")), "second\n") == 0);
    struct stat sb;
    CHECK(stat(in_dir("a.txt"), &sb) == 0 && (sb.st_mode & 0777) == 0600);
    /* An aborted write leaves the old file and no temporary. */
    tfc_out_file o;
    CHECK(tfc_out_file_open(&o, in_dir("a.txt"), st));
    fputs("third\n", o.f);
    tfc_out_file_abort(&o);
    CHECK(strcmp(slurp(in_dir("a.txt")), "second\n") == 0);
    CHECK(count_temporaries() == 0);
    CHECK_MSG(tfc_ok(st), "%s", tfc_message(st));
    tfc_status_free(st);
}

/* A symbolic link stays a link; the file it names gets the new contents. */
static void test_symlink(void)
{
    tfc_status *st = tfc_status_new();
    spit(in_dir("real.txt"), "old\n");
    CHECK(symlink("real.txt", in_dir("link.txt")) == 0);
    CHECK(write_text(in_dir("link.txt"), "new\n", st));
    struct stat sb;
    CHECK(lstat(in_dir("link.txt"), &sb) == 0 && S_ISLNK(sb.st_mode));
    CHECK(strcmp(slurp(in_dir("real.txt")), "new\n") == 0);
    CHECK_MSG(tfc_ok(st), "%s", tfc_message(st));
    tfc_status_free(st);
}

/* A twin of /dev/full (made here, never the real one): every write fails with ENOSPC. The error
 * names the file and the cause; the node stays a device, also behind a symbolic link. */
static void test_full_device(void)
{
    if (mknod(in_dir("full.png"), S_IFCHR | 0666, makedev(1, 7)) != 0) {
        fprintf(stderr, "  (no mknod here: %s; device twin not tested)\n", strerror(errno));
        return;
    }
    CHECK(symlink("full.png", in_dir("full-link.png")) == 0);
    const char *names[] = {in_dir("full.png"), in_dir("full-link.png")};
    for (int i = 0; i < 2; i++) {
        tfc_status *st = tfc_status_new();
        CHECK(!write_text(names[i], "lost\n", st));
        CHECK_MSG(strstr(tfc_message(st), names[i]) && strstr(tfc_message(st), strerror(ENOSPC)), "%s",
                  tfc_message(st));
        /* A big write fails already in the call. */
        tfc_out_file o;
        static char big[1 << 17];
        tfc_status_clear(st);
        CHECK(tfc_out_file_open(&o, names[i], st));
        CHECK(!tfc_out_file_write(&o, big, sizeof big, st));
        CHECK(!tfc_out_file_commit(&o, st));
        /* The same write through the stream (as libpng's and the CSV writers' are), the buffer
         * empty afterwards and errno long since reused: the commit still names the cause. */
        tfc_status_clear(st);
        CHECK(tfc_out_file_open(&o, names[i], st));
        CHECK(fwrite(big, 1, sizeof big, o.f) < sizeof big);
        errno = EINVAL;
        CHECK(!tfc_out_file_commit(&o, st));
        CHECK_MSG(strstr(tfc_message(st), strerror(ENOSPC)), "%s", tfc_message(st));
        tfc_status_free(st);
    }
    struct stat sb;
    CHECK(lstat(in_dir("full.png"), &sb) == 0 && S_ISCHR(sb.st_mode));
    CHECK(lstat(in_dir("full-link.png"), &sb) == 0 && S_ISLNK(sb.st_mode));
    CHECK(count_temporaries() == 0);
}

/* A full disk, by a file size limit: the old file stays, the temporary goes. */
static void test_size_limit(void)
{
    spit(in_dir("big.bin"), "old\n");
    struct rlimit old, small = {.rlim_cur = 1000, .rlim_max = RLIM_INFINITY};
    getrlimit(RLIMIT_FSIZE, &old);
    small.rlim_max = old.rlim_max;
    signal(SIGXFSZ, SIG_IGN);
    CHECK(setrlimit(RLIMIT_FSIZE, &small) == 0);
    tfc_status *st = tfc_status_new();
    char text[3000];
    memset(text, 'x', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    CHECK(!write_text(in_dir("big.bin"), text, st));
    setrlimit(RLIMIT_FSIZE, &old);
    CHECK_MSG(strstr(tfc_message(st), "big.bin") && strstr(tfc_message(st), strerror(EFBIG)), "%s",
              tfc_message(st));
    CHECK(strcmp(slurp(in_dir("big.bin")), "old\n") == 0);
    CHECK(count_temporaries() == 0);
    tfc_status_free(st);
}

/* A guarded stdout on a full device (a child's, the twin from test_full_device): the one write
 * larger than stdio's buffer fails inside the library, which keeps only an error flag, and
 * nothing is left to flush at the end; the check still names ENOSPC (not "Input/output error"). */
static void test_full_stdout(void)
{
    struct stat sb;
    if (stat(in_dir("full.png"), &sb) != 0 || !S_ISCHR(sb.st_mode)) return;
    int pipefd[2];
    CHECK(pipe(pipefd) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(pipefd[0]);
        int fd = open(in_dir("full.png"), O_WRONLY);
        if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0) _exit(2);
        tfc_stdio_guard(false);
        static char big[1 << 16];
        memset(big, 'x', sizeof big);
        fwrite(big, 1, sizeof big, stdout);
        errno = EINVAL;
        tfc_status *st = tfc_status_new();
        bool ok = tfc_stdout_check(st);
        const char *msg = ok ? "stdout check passed" : tfc_message(st);
        _exit(write(pipefd[1], msg, strlen(msg)) > 0 ? 0 : 3);
    }
    close(pipefd[1]);
    char msg[512] = {0};
    ssize_t n = read(pipefd[0], msg, sizeof msg - 1);
    close(pipefd[0]);
    int status;
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char want[128];
    snprintf(want, sizeof want, "cannot write 'stdout': %s", strerror(ENOSPC));
    CHECK_MSG(n > 0 && strcmp(msg, want) == 0, "%s", msg);
}

static void test_refused(void)
{
    tfc_status *st = tfc_status_new();
    tfc_out_file o;
    CHECK(!tfc_out_file_open(&o, dir, st) && strstr(tfc_message(st), "is a folder"));
    tfc_status_clear(st);
    CHECK(!tfc_out_file_open(&o, in_dir("no/such/folder.txt"), st) && strstr(tfc_message(st), "folder.txt"));
    CHECK(o.f == NULL);
    tfc_out_file_abort(&o); /* an empty one: nothing to do */
    tfc_status_clear(st);
    CHECK(!tfc_out_file_commit(&o, st));
    tfc_status_free(st);
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    test_new_and_replaced();
    test_symlink();
    test_full_device();
    test_full_stdout();
    test_size_limit();
    test_refused();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return check_result();
}
