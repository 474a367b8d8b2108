/* The saver: save and restore by name, the `checkpoint` state file (TF1 and TF2 forms, escapes,
 * errors), keeping the newest N, mismatches named, and crash safety: a save killed midway (SIGKILL
 * during a large write) or failing at any byte (RLIMIT_FSIZE) leaves the previous checkpoint and
 * the `checkpoint` file loadable. */
#include <dirent.h>
#include <ftw.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bundle.h"
#include "check.h"
#include "ops.h"
#include "saver.h"

static char dir[64];

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static char *path_in(const char *name)
{
    static char buf[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static bool exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

static char *slurp_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = calloc(1, 1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    CHECK(f && fputs(text, f) >= 0);
    if (f) fclose(f);
}

static int count_in_dir(const char *sub, const char *needle)
{
    DIR *d = opendir(sub);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));) n += strstr(e->d_name, needle) != NULL;
    if (d) closedir(d);
    return n;
}

/* A small model: model/fc1/weights [3,2], model/fc1/biases [2], global_step int64 []. */
typedef struct {
    tfc_graph *g;
    tfc_session *s;
    int w, b, step;
} model;

static void model_new(model *m, tfc_shape wshape, bool with_biases)
{
    tfc_status *st = tfc_status_new();
    m->g = tfc_graph_new();
    tfc_scope_push(m->g, "model");
    tfc_scope_push(m->g, "fc1");
    tfc_tensor *w = tfc_tensor_range(TFC_FLOAT, 1, wshape);
    m->w = tfc_variable_node(m->g, tfc_variable_const(m->g, w, "weights"));
    tfc_tensor_free(w);
    m->b = -1;
    if (with_biases) m->b = tfc_variable_node(m->g, tfc_variable_scalar(m->g, 0.5f, "biases"));
    tfc_scope_pop(m->g);
    tfc_scope_pop(m->g);
    m->step = tfc_variable_node(m->g, tfc_variable_zeros(m->g, TFC_SCALAR, TFC_INT64, "global_step", false));
    m->s = tfc_session_new(m->g, NULL, st);
    CHECK_MSG(m->s && tfc_session_run_init(m->s, st), "%s", tfc_message(st));
    tfc_status_free(st);
}

static void model_free(model *m)
{
    tfc_session_free(m->s);
    tfc_graph_free(m->g);
}

static void set_scalar(model *m, int node, double v)
{
    tfc_status *st = tfc_status_new();
    const tfc_tensor *cur = tfc_session_variable(m->s, node);
    tfc_tensor *t = tfc_tensor_new(cur->dtype, cur->shape);
    for (int64_t i = 0; i < t->size; i++) {
        if (t->dtype == TFC_INT64)
            tfc_i64(t)[i] = (int64_t)v;
        else
            tfc_f32(t)[i] = (float)(v + (double)i);
    }
    CHECK(tfc_session_assign(m->s, node, t, st));
    tfc_tensor_free(t);
    tfc_status_free(st);
}

static double value(model *m, int node, int64_t i) { return tfc_tensor_get(tfc_session_variable(m->s, node), i); }

static void test_save_restore(void)
{
    tfc_status *st = tfc_status_new();
    model m;
    model_new(&m, TFC_SHAPE(3, 2), true);
    set_scalar(&m, m.step, 10);
    char saved[512];
    CHECK_MSG(tfc_saver_save(m.s, path_in("model.ckpt"), 10, 5, saved, sizeof saved, st), "%s", tfc_message(st));
    CHECK(strcmp(saved, path_in("model.ckpt-10")) == 0);
    CHECK(exists(path_in("model.ckpt-10.index")) && exists(path_in("model.ckpt-10.data-00000-of-00001")));
    char *state = slurp_text(path_in("checkpoint"));
    CHECK_MSG(state && strcmp(state, "model_checkpoint_path: \"model.ckpt-10\"\n"
                                     "all_model_checkpoint_paths: \"model.ckpt-10\"\n") == 0,
              "%s", state);
    free(state);
    CHECK(count_in_dir(dir, "tempstate") == 0);

    /* What the bundle holds: every variable, by name, sorted. */
    tfc_bundle *b = tfc_bundle_open(saved, st);
    CHECK(b && tfc_bundle_count(b) == 3);
    if (b) {
        CHECK(strcmp(tfc_bundle_at(b, 0)->name, "global_step") == 0);
        CHECK(strcmp(tfc_bundle_at(b, 1)->name, "model/fc1/biases") == 0);
        CHECK(tfc_bundle_at(b, 0)->dtype == TFC_INT64);
        CHECK(tfc_shape_equal(tfc_bundle_at(b, 2)->shape, TFC_SHAPE(3, 2)));
    }
    tfc_bundle_close(b);

    set_scalar(&m, m.w, -4);
    set_scalar(&m, m.b, 9);
    set_scalar(&m, m.step, 99);
    CHECK_MSG(tfc_saver_restore(m.s, saved, st), "%s", tfc_message(st));
    CHECK(value(&m, m.w, 0) == 1 && value(&m, m.w, 5) == 6 && value(&m, m.b, 0) == 0.5 && value(&m, m.step, 0) == 10);

    /* From the folder: its newest checkpoint. */
    set_scalar(&m, m.step, 11);
    CHECK(tfc_saver_save(m.s, path_in("model.ckpt"), 11, 5, NULL, 0, st));
    set_scalar(&m, m.step, 0);
    CHECK(tfc_saver_restore(m.s, dir, st) && value(&m, m.step, 0) == 11);
    char latest[512];
    CHECK(tfc_checkpoint_latest(dir, latest, sizeof latest, st) && strcmp(latest, path_in("model.ckpt-11")) == 0);
    CHECK_MSG(tfc_ok(st), "%s", tfc_message(st));
    model_free(&m);
    tfc_status_free(st);
}

static void test_keep_newest(void)
{
    tfc_status *st = tfc_status_new();
    char sub[300];
    snprintf(sub, sizeof sub, "%s/keep", dir);
    mkdir(sub, 0755);
    char other[400];
    /* Another saver's checkpoint listed in the same file is neither counted nor deleted. */
    snprintf(other, sizeof other, "%s/other.ckpt-1.index", sub);
    spit(other, "x");
    snprintf(other, sizeof other, "%s/checkpoint", sub);
    spit(other, "model_checkpoint_path: \"other.ckpt-1\"\nall_model_checkpoint_paths: \"other.ckpt-1\"\n");
    model m;
    model_new(&m, TFC_SHAPE(3, 2), true);
    char prefix[400];
    snprintf(prefix, sizeof prefix, "%s/model.ckpt", sub);
    for (int step = 1; step <= 7; step++) CHECK(tfc_saver_save(m.s, prefix, step * 100, 5, NULL, 0, st));
    CHECK_MSG(tfc_ok(st), "%s", tfc_message(st));
    char *state = slurp_text(other);
    CHECK_MSG(state && strcmp(state, "model_checkpoint_path: \"model.ckpt-700\"\n"
                                     "all_model_checkpoint_paths: \"other.ckpt-1\"\n"
                                     "all_model_checkpoint_paths: \"model.ckpt-300\"\n"
                                     "all_model_checkpoint_paths: \"model.ckpt-400\"\n"
                                     "all_model_checkpoint_paths: \"model.ckpt-500\"\n"
                                     "all_model_checkpoint_paths: \"model.ckpt-600\"\n"
                                     "all_model_checkpoint_paths: \"model.ckpt-700\"\n") == 0,
              "%s", state);
    free(state);
    CHECK(count_in_dir(sub, ".index") == 6);
    CHECK(count_in_dir(sub, "model.ckpt-100") == 0 && count_in_dir(sub, "model.ckpt-200") == 0);
    CHECK(count_in_dir(sub, "model.ckpt-300.") == 2);
    /* Saving a step again replaces it in the list rather than listing it twice. */
    CHECK(tfc_saver_save(m.s, prefix, 700, 5, NULL, 0, st));
    tfc_checkpoint_state cs;
    CHECK(tfc_checkpoint_state_read(sub, &cs, st) && cs.num_paths == 6);
    tfc_checkpoint_state_clear(&cs);
    model_free(&m);
    tfc_status_free(st);
}

static void test_mismatch(void)
{
    tfc_status *st = tfc_status_new();
    model a, b;
    model_new(&a, TFC_SHAPE(3, 2), true);
    CHECK(tfc_saver_save(a.s, path_in("mis.ckpt"), 1, 5, NULL, 0, st));
    /* weights of another shape, no biases, and an extra variable */
    model_new(&b, TFC_SHAPE(2, 3), false);
    tfc_variable_node(b.g, tfc_variable_scalar(b.g, 1, "extra"));
    tfc_session_free(b.s);
    b.s = tfc_session_new(b.g, NULL, st);
    CHECK(tfc_session_run_init(b.s, st));
    set_scalar(&b, b.step, 42);
    CHECK(!tfc_saver_restore(b.s, path_in("mis.ckpt-1"), st));
    const char *msg = tfc_message(st);
    CHECK_MSG(strstr(msg, "mis.ckpt-1") && strstr(msg, "1 missing (extra)") &&
                  strstr(msg, "1 unexpected (model/fc1/biases)") &&
                  strstr(msg, "1 mismatched (model/fc1/weights: checkpoint float32 [3,2], graph float32 [2,3])"),
              "%s", msg);
    CHECK(value(&b, b.step, 0) == 42); /* nothing restored */
    tfc_status_clear(st);
    CHECK(!tfc_saver_restore(b.s, path_in("nothing-here"), st) && strstr(tfc_message(st), "nothing-here"));
    tfc_status_clear(st);
    /* Saving an uninitialised variable is an error naming it. */
    tfc_variable_node(b.g, tfc_variable_scalar(b.g, 1, "late"));
    CHECK(!tfc_saver_save(b.s, path_in("late.ckpt"), 1, 5, NULL, 0, st) && strstr(tfc_message(st), "'late'"));
    CHECK(!exists(path_in("late.ckpt-1.index")));
    model_free(&a);
    model_free(&b);
    tfc_status_free(st);
}

/* Saver(var_list) and saver.save(sess, path) without a global step: the plain prefix, recorded and
 * kept like a stepped one; a restore of a var_list leaves the other variables alone and accepts a
 * checkpoint holding more. */
static void test_var_list_and_plain_prefix(void)
{
    tfc_status *st = tfc_status_new();
    char sub[300], prefix[400], saved[512];
    snprintf(sub, sizeof sub, "%s/plain", dir);
    mkdir(sub, 0755);
    snprintf(prefix, sizeof prefix, "%s/model.ckpt", sub);
    model m;
    model_new(&m, TFC_SHAPE(3, 2), true);
    tfc_out w = {m.w, 0}, read_b = {tfc_graph_find(m.g, "model/fc1/biases/read"), 0};
    CHECK_MSG(tfc_saver_save_vars(m.s, (tfc_out[]){read_b, w, w}, 3, prefix, TFC_SAVER_NO_STEP, 5, saved, sizeof saved, st),
              "%s", tfc_message(st));
    CHECK(strcmp(saved, prefix) == 0);
    tfc_bundle *b = tfc_bundle_open(prefix, st);
    CHECK(b && tfc_bundle_count(b) == 2 && !tfc_bundle_find(b, "global_step") && tfc_bundle_find(b, "model/fc1/biases"));
    tfc_bundle_close(b);
    char *state = slurp_text(path_in("plain/checkpoint"));
    CHECK_MSG(state && strcmp(state, "model_checkpoint_path: \"model.ckpt\"\n"
                                     "all_model_checkpoint_paths: \"model.ckpt\"\n") == 0,
              "%s", state);
    free(state);
    /* the whole graph's restore wants global_step too */
    CHECK(!tfc_saver_restore(m.s, prefix, st) && strstr(tfc_message(st), "1 missing (global_step)"));
    tfc_status_clear(st);
    set_scalar(&m, m.w, -4);
    set_scalar(&m, m.b, 9);
    set_scalar(&m, m.step, 7);
    CHECK_MSG(tfc_saver_restore_vars(m.s, &w, 1, sub, st), "%s", tfc_message(st));
    CHECK(value(&m, m.w, 0) == 1 && value(&m, m.b, 0) == 9 && value(&m, m.step, 0) == 7);
    /* a full checkpoint restores into a var_list too */
    CHECK(tfc_saver_save(m.s, prefix, 3, 5, NULL, 0, st));
    set_scalar(&m, m.b, -1);
    set_scalar(&m, m.step, 8);
    char stepped[420];
    snprintf(stepped, sizeof stepped, "%s-3", prefix);
    CHECK_MSG(tfc_saver_restore_vars(m.s, &read_b, 1, stepped, st), "%s", tfc_message(st));
    CHECK(value(&m, m.b, 0) == 9 && value(&m, m.step, 0) == 8);
    /* the plain prefix counts among this saver's newest: with max_to_keep 1 it goes */
    CHECK(tfc_saver_save(m.s, prefix, 4, 1, NULL, 0, st));
    CHECK(count_in_dir(sub, ".index") == 1 && count_in_dir(sub, "model.ckpt-4.index") == 1);
    /* a var_list entry that is no variable, an empty list, a negative step: errors naming them */
    CHECK(!tfc_saver_save_vars(m.s, (tfc_out[]){{tfc_graph_find(m.g, "model/fc1/weights/Assign"), 0}}, 1, prefix, 1, 5, NULL, 0,
                               st) &&
          strstr(tfc_message(st), "var_list[0] ('model/fc1/weights/Assign:0') is not a variable"));
    tfc_status_clear(st);
    CHECK(!tfc_saver_restore_vars(m.s, &w, 0, prefix, st) && strstr(tfc_message(st), "empty"));
    tfc_status_clear(st);
    CHECK(!tfc_saver_save(m.s, prefix, -5, 5, NULL, 0, st) && strstr(tfc_message(st), "negative"));
    model_free(&m);
    tfc_status_free(st);
}

static void test_state_file(void)
{
    tfc_status *st = tfc_status_new();
    char sub[300];
    snprintf(sub, sizeof sub, "%s/state", dir);
    mkdir(sub, 0755);
    char file[400];
    snprintf(file, sizeof file, "%s/checkpoint", sub);
    /* TF2's CheckpointManager form, with a comment and odd spacing. */
    spit(file, "# written by hand\nmodel_checkpoint_path:\"ckpt-2\"\nall_model_checkpoint_paths: \"ckpt-1\"\n"
               "all_model_checkpoint_paths: 'ckpt-2'  all_model_checkpoint_timestamps: 1606867698.033619\n"
               "all_model_checkpoint_timestamps: 1606867791.8105\nlast_preserved_timestamp: 1606867659.7415721\n");
    tfc_checkpoint_state cs;
    CHECK_MSG(tfc_checkpoint_state_read(sub, &cs, st), "%s", tfc_message(st));
    CHECK(strcmp(cs.model_checkpoint_path, "ckpt-2") == 0 && cs.num_paths == 2 &&
          strcmp(cs.all_model_checkpoint_paths[1], "ckpt-2") == 0 && cs.num_timestamps == 2 &&
          cs.timestamps[1] == 1606867791.8105 && cs.last_preserved_timestamp == 1606867659.7415721);
    /* Written back and read again: the same, escapes included. */
    free(cs.all_model_checkpoint_paths[0]);
    cs.all_model_checkpoint_paths[0] = strdup("we\"ird\\name\n\xc3\xa9");
    CHECK(tfc_checkpoint_state_write(sub, &cs, st));
    tfc_checkpoint_state back;
    CHECK(tfc_checkpoint_state_read(sub, &back, st));
    CHECK(strcmp(back.all_model_checkpoint_paths[0], "we\"ird\\name\n\xc3\xa9") == 0 && back.num_timestamps == 2 &&
          back.timestamps[0] == 1606867698.033619 && back.last_preserved_timestamp == cs.last_preserved_timestamp);
    char *text = slurp_text(file);
    CHECK(text && strstr(text, "all_model_checkpoint_paths: \"we\\\"ird\\\\name\\n\\303\\251\"\n"));
    free(text);
    tfc_checkpoint_state_clear(&cs);
    tfc_checkpoint_state_clear(&back);

    /* Absolute paths of a folder that moved are found beside the file. */
    char ck[400];
    snprintf(ck, sizeof ck, "%s/ckpt-2.index", sub);
    spit(ck, "x");
    spit(file, "model_checkpoint_path: \"/somewhere/else/ckpt-2\"\n");
    char latest[512], want[512];
    snprintf(want, sizeof want, "%s/ckpt-2", sub);
    CHECK(tfc_checkpoint_latest(sub, latest, sizeof latest, st) && strcmp(latest, want) == 0);

    static const char *const bad[] = {"model_checkpoint_path \"x\"\n", "model_checkpoint_path: \"x\n",
                                      "model_checkpoint_path: \"\\q\"\n", "all_model_checkpoint_paths: \"x\"\n",
                                      "model_checkpoint_path: ???\n", "\x01\x02\x03"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        spit(file, bad[i]);
        CHECK_MSG(!tfc_checkpoint_state_read(sub, &cs, st) && strstr(tfc_message(st), "/state/checkpoint"), "case %zu",
                  i);
        tfc_status_clear(st);
    }
    CHECK(!tfc_checkpoint_latest(path_in("nowhere"), latest, sizeof latest, st) &&
          tfc_status_code(st) == TFC_NOT_FOUND);
    tfc_status_free(st);
}

/* The previous checkpoint (step 1) is still the newest and restores; no new one is visible. */
static void check_previous_intact(const char *sub, const char *prefix)
{
    tfc_status *st = tfc_status_new();
    char latest[512], want[512];
    snprintf(want, sizeof want, "%s-1", prefix);
    CHECK_MSG(tfc_checkpoint_latest(sub, latest, sizeof latest, st) && strcmp(latest, want) == 0, "%s",
              tfc_message(st));
    model m;
    model_new(&m, TFC_SHAPE(3, 2), true);
    set_scalar(&m, m.step, 5);
    CHECK_MSG(tfc_saver_restore(m.s, sub, st) && value(&m, m.step, 0) == 1, "%s", tfc_message(st));
    model_free(&m);
    tfc_status_free(st);
}

/* A child saving a large bundle is killed once its temporary data file appears. */
static void test_killed_midway(void)
{
    char sub[300], prefix[400];
    snprintf(sub, sizeof sub, "%s/kill", dir);
    mkdir(sub, 0755);
    snprintf(prefix, sizeof prefix, "%s/big.ckpt", sub);
    tfc_status *st = tfc_status_new();
    model m;
    model_new(&m, TFC_SHAPE(3, 2), true);
    set_scalar(&m, m.step, 1);
    CHECK(tfc_saver_save(m.s, prefix, 1, 5, NULL, 0, st));
    model_free(&m);
    int killed = 0;
    for (int attempt = 0; attempt < 5 && !killed; attempt++) {
        pid_t pid = fork();
        if (pid == 0) {
            model big;
            model_new(&big, TFC_SHAPE(2048, 8192), true); /* 64 MiB of weights */
            set_scalar(&big, big.step, 2);
            tfc_status *cst = tfc_status_new();
            _exit(tfc_saver_save(big.s, prefix, 2, 5, NULL, 0, cst) ? 0 : 3);
        }
        /* Kill it as soon as it writes the data file: its fsync and renames are still to come. */
        int status = 0;
        while (waitpid(pid, &status, WNOHANG) == 0) {
            if (count_in_dir(sub, "tempstate") > 0) {
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
                break;
            }
            struct timespec ts = {0, 200000};
            nanosleep(&ts, NULL);
        }
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
            killed++;
            check_previous_intact(sub, prefix);
            CHECK(!exists(path_in("kill/big.ckpt-2.index")));
        } else {
            /* it finished first: remove step 2 and try again */
            char two[512];
            snprintf(two, sizeof two, "%s-2", prefix);
            remove(path_in("kill/big.ckpt-2.index"));
            remove(path_in("kill/big.ckpt-2.data-00000-of-00001"));
            tfc_checkpoint_state cs = {0};
            char *p = strdup("big.ckpt-1");
            cs.model_checkpoint_path = p;
            cs.all_model_checkpoint_paths = &p;
            cs.num_paths = 1;
            CHECK(tfc_checkpoint_state_write(sub, &cs, st));
            free(p);
        }
    }
    CHECK_MSG(killed > 0, "the child always finished before it could be killed");
    /* The next save removes what the killed ones left, and only that: another saver's temporaries
     * and other files stay. */
    CHECK(count_in_dir(sub, "tempstate") > 0);
    const char *others[] = {"kill/other.ckpt-2.index.tempstate77", "kill/big.ckpt-x.index.tempstate77",
                            "kill/big.ckpt-2.index.tempstate", "kill/notes.tempstate1"};
    for (int i = 0; i < 4; i++) {
        FILE *f = fopen(path_in(others[i]), "w");
        CHECK(f && fclose(f) == 0);
    }
    model_new(&m, TFC_SHAPE(3, 2), true);
    set_scalar(&m, m.step, 3);
    CHECK(tfc_saver_save(m.s, prefix, 3, 5, NULL, 0, st));
    model_free(&m);
    CHECK(count_in_dir(sub, "tempstate") == 4);
    for (int i = 0; i < 4; i++) CHECK(exists(path_in(others[i])));
    tfc_status_free(st);
}

/* Writes that fail at every file size limit: the save either completes or fails cleanly. */
static void test_failing_writes(void)
{
    char sub[300], prefix[400];
    snprintf(sub, sizeof sub, "%s/fsize", dir);
    mkdir(sub, 0755);
    snprintf(prefix, sizeof prefix, "%s/small.ckpt", sub);
    tfc_status *st = tfc_status_new();
    model m;
    model_new(&m, TFC_SHAPE(3, 2), true);
    set_scalar(&m, m.step, 1);
    CHECK(tfc_saver_save(m.s, prefix, 1, 5, NULL, 0, st));
    model_free(&m);
    int failed = 0, succeeded = 0;
    /* The data file is 36 bytes, the index about 230, the state file about 110. */
    for (int limit = 0; limit <= 300; limit += 3) {
        pid_t pid = fork();
        if (pid == 0) {
            signal(SIGXFSZ, SIG_IGN);
            model c;
            model_new(&c, TFC_SHAPE(3, 2), true);
            set_scalar(&c, c.step, 2);
            struct rlimit rl = {(rlim_t)limit, (rlim_t)limit};
            setrlimit(RLIMIT_FSIZE, &rl);
            tfc_status *cst = tfc_status_new();
            bool ok = tfc_saver_save(c.s, prefix, 2, 5, NULL, 0, cst);
            _exit(ok ? 0 : strstr(tfc_message(cst), "small.ckpt") ? 3 : 4);
        }
        int status;
        waitpid(pid, &status, 0);
        CHECK_MSG(WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 3), "limit %d", limit);
        char latest[512];
        CHECK(tfc_checkpoint_latest(sub, latest, sizeof latest, st));
        CHECK(count_in_dir(sub, "tempstate") == 0);
        if (WEXITSTATUS(status) == 0) {
            succeeded++;
            break;
        }
        failed++;
        check_previous_intact(sub, prefix);
    }
    CHECK_MSG(failed > 10 && succeeded == 1, "%d failed, %d succeeded", failed, succeeded);
    tfc_status_free(st);
}

/* Many long names of each kind: the error lists the first of each kind and counts the rest, and
 * the whole fits in a status (1 KiB) instead of being cut in the middle of the third kind. */
static tfc_session *long_names(const char *const *kinds, int nkinds, int dim, tfc_status *st)
{
    tfc_graph *g = tfc_graph_new();
    char name[160];
    for (int k = 0; k < nkinds; k++)
        for (int i = 0; i < 20; i++) {
            snprintf(name, sizeof name, "a/rather/deep/scope/of/some/network/%s_variable_%d", kinds[k], i);
            tfc_variable_zeros(g, TFC_SHAPE(dim), TFC_FLOAT, name, true);
        }
    tfc_session *s = tfc_session_new(g, NULL, st);
    tfc_session_run_init(s, st);
    return s;
}

static void test_mismatch_many(void)
{
    tfc_status *st = tfc_status_new();
    const char *saved[] = {"shared", "extra"}, *wanted[] = {"shared", "absent"};
    tfc_session *a = long_names(saved, 2, 2, st), *b = long_names(wanted, 2, 3, st);
    CHECK(tfc_saver_save(a, path_in("many.ckpt"), 1, 5, NULL, 0, st));
    CHECK(!tfc_saver_restore(b, path_in("many.ckpt-1"), st));
    const char *msg = tfc_message(st);
    CHECK_MSG(strlen(msg) < 1000 && strstr(msg, "20 missing (a/rather/deep/scope/of/some/network/absent_variable_0") &&
                  strstr(msg, "20 unexpected (a/rather/deep/scope/of/some/network/extra_variable_0") &&
                  strstr(msg, "20 mismatched (a/rather/deep/scope/of/some/network/shared_variable_0: checkpoint float32 "
                              "[2], graph float32 [3]") &&
                  strstr(msg, "more)") && msg[strlen(msg) - 1] == ')',
              "%s", msg);
    tfc_graph *ga = tfc_session_graph(a), *gb = tfc_session_graph(b);
    tfc_session_free(a);
    tfc_session_free(b);
    tfc_graph_free(ga);
    tfc_graph_free(gb);
    tfc_status_free(st);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/tfc-test-saver-XXXXXX");
    if (!mkdtemp(dir)) return 1;
    test_save_restore();
    test_keep_newest();
    test_mismatch();
    test_mismatch_many();
    test_var_list_and_plain_prefix();
    test_state_file();
    test_killed_midway();
    test_failing_writes();
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return check_result();
}
