/* Placement: device strings, devices that cannot be had (an error naming node and device, or the
 * CPU under soft placement), and a graph placed on two tasks run by two "ranks" in one process
 * (threads joined by an in-memory communicator): each computes its own nodes, the fetch reaches the
 * client, and the same program on every rank gives the seed cluster example's c = 55. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "comm.h"
#include "ops.h"
#include "placement.h"
#include "session.h"

/* ---- an in-memory communicator of two ranks: a mailbox per (sender, receiver) pair ---- */

typedef struct msg {
    int tag;
    size_t bytes;
    struct msg *next;
    char data[];
} msg;

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    msg *box[2][2]; /* box[from][to], a FIFO */
} post = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, {{0}}};

static bool mem_send(tfc_comm *c, const void *buf, size_t bytes, int dest, int tag, tfc_status *st)
{
    (void)st;
    msg *m = malloc(sizeof *m + bytes);
    m->tag = tag;
    m->bytes = bytes;
    m->next = NULL;
    if (bytes) memcpy(m->data, buf, bytes);
    pthread_mutex_lock(&post.mu);
    msg **end = &post.box[c->rank][dest];
    while (*end) end = &(*end)->next;
    *end = m;
    pthread_cond_broadcast(&post.cv);
    pthread_mutex_unlock(&post.mu);
    return true;
}

static bool mem_recv(tfc_comm *c, void *buf, size_t bytes, int src, int tag, tfc_status *st)
{
    pthread_mutex_lock(&post.mu);
    msg **at;
    for (;;) {
        for (at = &post.box[src][c->rank]; *at && (*at)->tag != tag; at = &(*at)->next) {}
        if (*at) break;
        pthread_cond_wait(&post.cv, &post.mu);
    }
    msg *m = *at;
    *at = m->next;
    pthread_mutex_unlock(&post.mu);
    size_t got = m->bytes;
    if (got == bytes && bytes) memcpy(buf, m->data, bytes);
    free(m);
    return got == bytes || tfc_fail(st, TFC_DATA_LOSS, "message of %zu bytes where %zu were expected", got, bytes);
}

/* ---- the seed's cluster graph ---- */

typedef struct {
    tfc_graph *g;
    tfc_out a, b, c;
} cluster;

static void build_cluster(cluster *k)
{
    tfc_graph *g = k->g = tfc_graph_new();
    tfc_device_push(g, "/job:worker/task:0");
    k->a = tfc_variable_scalar(g, 5.0f, "a");
    k->b = tfc_mul(g, k->a, tfc_const_scalar(g, 10.0f, "ten"), "b");
    tfc_device_pop(g);
    tfc_device_push(g, "/job:worker/replica:0/task:1/device:CPU:0");
    k->c = tfc_add(g, k->b, k->a, "c");
    tfc_device_pop(g);
    tfc_global_variables_initializer(g);
}

typedef struct {
    int rank, threads;
    float c;       /* what the fetch gave, NaN when nothing */
    int64_t runs_b, runs_c; /* how often this rank ran b's and c's kernels */
    bool ok;
} rank_result;

static void *run_rank(void *arg)
{
    rank_result *r = arg;
    tfc_comm comm = {.rank = r->rank, .size = 2, .send = mem_send, .recv = mem_recv};
    cluster k;
    build_cluster(&k);
    tfc_status *st = tfc_status_new();
    tfc_session_options opts = {.threads = r->threads, .comm = &comm, .profile = true};
    tfc_session *s = tfc_session_new(k.g, &opts, st);
    tfc_tensor *out = NULL;
    r->ok = s && tfc_session_run_init(s, st);
    for (int i = 0; r->ok && i < 3; i++) { /* a second and third run reuse the plan and its transfers */
        tfc_tensor_free(out);
        r->ok = tfc_session_run(s, NULL, 0, TFC_FETCHES(k.c), &out, st);
    }
    CHECK_MSG(r->ok, "rank %d: %s", r->rank, tfc_message(st));
    r->c = out ? tfc_f32(out)[0] : NAN;
    double secs;
    tfc_session_node_time(s, k.b.node, &secs, &r->runs_b);
    tfc_session_node_time(s, k.c.node, &secs, &r->runs_c);
    tfc_tensor_free(out);
    tfc_session_free(s);
    tfc_graph_free(k.g);
    tfc_status_free(st);
    return NULL;
}

static void test_two_tasks(int threads)
{
    rank_result r[2] = {{.rank = 0, .threads = threads}, {.rank = 1, .threads = threads}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, run_rank, &r[i]);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    CHECK(r[0].ok && r[1].ok);
    CHECK_NEAR(r[0].c, 55.0, 0);
    CHECK_NEAR(r[1].c, 55.0, 0); /* task 1 computed c itself */
    CHECK(r[0].runs_b == 3 && r[1].runs_b == 0); /* b on task 0 */
    CHECK(r[0].runs_c == 0 && r[1].runs_c == 3); /* c on task 1 */
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) CHECK(post.box[i][j] == NULL); /* every message was taken */
}

/* ---- devices ---- */

static void test_device_strings(void)
{
    tfc_device_spec d;
    CHECK(tfc_device_parse("", &d) && d.task == -1 && d.cpu);
    CHECK(tfc_device_parse("/cpu:0", &d) && d.task == -1 && d.cpu && d.device_id == 0);
    CHECK(tfc_device_parse("/job:worker/task:1", &d) && d.task == 1 && d.cpu);
    CHECK(tfc_device_parse("/job:localhost/replica:0/task:0/device:CPU:0", &d) && d.task == 0 && d.cpu);
    CHECK(tfc_device_parse("/device:GPU:1", &d) && !d.cpu && d.device_id == 1);
    CHECK(tfc_device_parse("/gpu:0", &d) && !d.cpu);
    CHECK(tfc_device_parse("CPU:0", &d) && d.cpu);
    CHECK(tfc_device_parse("/job:ps/task:12/cpu:*", &d) && d.task == 12 && d.cpu);
    CHECK(!tfc_device_parse("/task:x", &d));
    CHECK(!tfc_device_parse("/cpu", &d));
    CHECK(!tfc_device_parse("/device:", &d));
}

/* Runs y = x * 2 with y placed on `device`; returns whether it ran, the message in msg. */
static bool run_on(const char *device, bool soft, float *y, char *msg, size_t cap)
{
    tfc_graph *g = tfc_graph_new();
    tfc_out x = tfc_const_scalar(g, 3.0f, "x"), two = tfc_const_scalar(g, 2.0f, "two");
    tfc_device_push(g, device);
    tfc_out out = tfc_mul(g, x, two, "y");
    tfc_device_pop(g);
    tfc_status *st = tfc_status_new();
    tfc_session_options opts = {.threads = 1, .allow_soft_placement = soft};
    tfc_session *s = tfc_session_new(g, &opts, st);
    tfc_tensor *v = NULL;
    bool ok = tfc_session_run(s, NULL, 0, TFC_FETCHES(out), &v, st);
    *y = v ? tfc_f32(v)[0] : NAN;
    snprintf(msg, cap, "%s", tfc_message(st));
    tfc_tensor_free(v);
    tfc_session_free(s);
    tfc_graph_free(g);
    tfc_status_free(st);
    return ok;
}

static void test_devices_that_cannot_be_had(void)
{
    char msg[1024];
    float y;
    CHECK(run_on("/cpu:0", false, &y, msg, sizeof msg) && y == 6.0f);
    CHECK(!run_on("/gpu:0", false, &y, msg, sizeof msg));
    CHECK_MSG(strstr(msg, "node 'y'") && strstr(msg, "'/gpu:0'") && strstr(msg, "soft placement"), "%s", msg);
    CHECK(!run_on("/job:worker/task:1", false, &y, msg, sizeof msg));
    CHECK_MSG(strstr(msg, "node 'y'") && strstr(msg, "'/job:worker/task:1'") && strstr(msg, "1 task"), "%s", msg);
    CHECK(!run_on("/device:cpu:zero", false, &y, msg, sizeof msg));
    CHECK_MSG(strstr(msg, "not a device name"), "%s", msg);
    /* soft placement: on the CPU of task 0, with a note on stderr */
    CHECK(run_on("/gpu:0", true, &y, msg, sizeof msg) && y == 6.0f);
    CHECK(run_on("/job:worker/task:3/device:GPU:0", true, &y, msg, sizeof msg) && y == 6.0f);
}

int main(void)
{
    test_device_strings();
    test_devices_that_cannot_be_had();
    test_two_tasks(1);
    test_two_tasks(2);
    return check_result();
}
