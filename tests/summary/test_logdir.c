/* tfc_logdir_load on event files made by the test: runs and sub-folders, TensorBoard's tag
 * routing and purging rules, TF2 tensor-encoded scalars and histograms, images (Summary.Image and
 * TF2's string tensors) with their purging, graph selection, errors,
 * and damaged files (flipped bits, truncation, random bytes, records that are not Events). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "events_builder.h"
#include "graph.pb-c.h"
#include "logdir.h"
#include "meta_graph.pb-c.h"

static char root[256];

static char *path_in(const char *rel)
{
    static char buf[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", root, rel);
    return buf[k];
}

static const tfc_run *find_run(const tfc_logdir *ld, const char *name)
{
    for (size_t i = 0; i < ld->nruns; i++)
        if (strcmp(ld->runs[i].name, name) == 0) return &ld->runs[i];
    return NULL;
}

static Tensorflow__SummaryMetadata__PluginData scalars_plugin = {PROTOBUF_C_MESSAGE_INIT(
    &tensorflow__summary_metadata__plugin_data__descriptor), "scalars", {0, NULL}};
static Tensorflow__SummaryMetadata__PluginData histograms_plugin = {PROTOBUF_C_MESSAGE_INIT(
    &tensorflow__summary_metadata__plugin_data__descriptor), "histograms", {0, NULL}};
static Tensorflow__SummaryMetadata__PluginData images_plugin = {PROTOBUF_C_MESSAGE_INIT(
    &tensorflow__summary_metadata__plugin_data__descriptor), "images", {0, NULL}};
static Tensorflow__SummaryMetadata__PluginData text_plugin = {PROTOBUF_C_MESSAGE_INIT(
    &tensorflow__summary_metadata__plugin_data__descriptor), "text", {0, NULL}};
static Tensorflow__SummaryMetadata__PluginData pr_plugin = {PROTOBUF_C_MESSAGE_INIT(
    &tensorflow__summary_metadata__plugin_data__descriptor), "pr_curves", {0, NULL}};
static Tensorflow__SummaryMetadata__PluginData trace_plugin = {PROTOBUF_C_MESSAGE_INIT(
    &tensorflow__summary_metadata__plugin_data__descriptor), "graph_run_metadata_graph", {0, NULL}};

/* A tensor value: dtype, shape dims, and either raw content or the fields set by the caller. */
static void tensor_value(FILE *f, int64_t step, const char *tag, Tensorflow__SummaryMetadata__PluginData *plugin,
                         Tensorflow__TensorProto *t)
{
    Tensorflow__SummaryMetadata md = TENSORFLOW__SUMMARY_METADATA__INIT;
    md.plugin_data = plugin;
    Tensorflow__Summary__Value v = TENSORFLOW__SUMMARY__VALUE__INIT;
    v.tag = (char *)tag;
    v.metadata = plugin ? &md : NULL;
    v.value_case = TENSORFLOW__SUMMARY__VALUE__VALUE_TENSOR;
    v.tensor = t;
    eb_value(f, 100.0 + (double)step, step, &v);
}

static void write_graph_event(FILE *f, const char *node_name, bool in_meta)
{
    Tensorflow__NodeDef node = TENSORFLOW__NODE_DEF__INIT, *nodes[1] = {&node};
    node.name = (char *)node_name;
    node.op = "Const";
    Tensorflow__GraphDef g = TENSORFLOW__GRAPH_DEF__INIT;
    g.n_node = 1;
    g.node = nodes;
    Tensorflow__Event ev = TENSORFLOW__EVENT__INIT;
    unsigned char buf[256];
    if (in_meta) {
        Tensorflow__MetaGraphDef mg = TENSORFLOW__META_GRAPH_DEF__INIT;
        mg.graph_def = &g;
        ev.what_case = TENSORFLOW__EVENT__WHAT_META_GRAPH_DEF;
        ev.meta_graph_def.len = tensorflow__meta_graph_def__pack(&mg, buf);
        ev.meta_graph_def.data = buf;
    } else {
        ev.what_case = TENSORFLOW__EVENT__WHAT_GRAPH_DEF;
        ev.graph_def.len = tensorflow__graph_def__pack(&g, buf);
        ev.graph_def.data = buf;
    }
    eb_write_event(f, &ev);
}

static const char *graph_first_node(const tfc_run *run, char *buf, size_t n)
{
    Tensorflow__GraphDef *g = tensorflow__graph_def__unpack(NULL, run->graph_def_len, run->graph_def);
    if (!g || g->n_node == 0) return "";
    snprintf(buf, n, "%s", g->node[0]->name);
    tensorflow__graph_def__free_unpacked(g, NULL);
    return buf;
}

static void make_logdir(void)
{
    /* Run ".": restart purge, TF2 tensor encodings, routing, graph_def beating meta_graph_def. */
    FILE *f = eb_open(path_in("events.out.tfevents.1.host"));
    eb_file_version(f, 1.0);
    write_graph_event(f, "from_graph_def", false);
    for (int i = 0; i < 5; i++) eb_scalar(f, 10.0 + i, i, "loss", 0.5f * (float)i);
    eb_session_start(f, 20.0, 2); /* a restart from step 2: loss steps 2..4 are orphaned */
    eb_scalar(f, 21.0, 2, "loss", 9.0f);
    write_graph_event(f, "from_meta_graph", true);

    Tensorflow__TensorShapeProto scalar_shape = TENSORFLOW__TENSOR_SHAPE_PROTO__INIT;
    float fv = 0.25f;
    Tensorflow__TensorProto t = TENSORFLOW__TENSOR_PROTO__INIT;
    t.dtype = TENSORFLOW__DATA_TYPE__DT_FLOAT;
    t.tensor_shape = &scalar_shape;
    t.tensor_content = (ProtobufCBinaryData){sizeof fv, (uint8_t *)&fv};
    tensor_value(f, 1, "t_scalar", &scalars_plugin, &t);
    /* FileWriter keeps metadata only on a tag's first value: later ones are still scalars. */
    t.tensor_content = (ProtobufCBinaryData){0, NULL};
    t.dtype = TENSORFLOW__DATA_TYPE__DT_DOUBLE;
    double dv = -3.5;
    t.n_double_val = 1;
    t.double_val = &dv;
    tensor_value(f, 2, "t_scalar", NULL, &t);
    t.n_double_val = 0;
    t.dtype = TENSORFLOW__DATA_TYPE__DT_INT64;
    int64_t iv = 1234567;
    t.n_int64_val = 1;
    t.int64_val = &iv;
    tensor_value(f, 3, "t_scalar", NULL, &t);
    t.n_int64_val = 0;
    t.dtype = TENSORFLOW__DATA_TYPE__DT_HALF;
    int32_t hv = 0x3e00; /* 1.5 in IEEE half */
    t.n_half_val = 1;
    t.half_val = &hv;
    tensor_value(f, 4, "t_scalar", NULL, &t);
    t.n_half_val = 0;

    /* A tensor without metadata on a tag never routed: TensorBoard ignores it. */
    t.dtype = TENSORFLOW__DATA_TYPE__DT_FLOAT;
    t.tensor_content = (ProtobufCBinaryData){sizeof fv, (uint8_t *)&fv};
    tensor_value(f, 1, "unrouted", NULL, &t);
    tensor_value(f, 1, "pr_tag", &pr_plugin, &t);
    tensor_value(f, 6, "pr_tag", NULL, &t);

    /* Text: a scalar string, then a [2,2] table; a float under the text tag is skipped with a
     * warning, and a rank-3 tensor shows its first matrix. */
    Tensorflow__TensorShapeProto__Dim sd[3] = {TENSORFLOW__TENSOR_SHAPE_PROTO__DIM__INIT,
                                               TENSORFLOW__TENSOR_SHAPE_PROTO__DIM__INIT,
                                               TENSORFLOW__TENSOR_SHAPE_PROTO__DIM__INIT};
    Tensorflow__TensorShapeProto__Dim *sdims[3] = {&sd[0], &sd[1], &sd[2]};
    Tensorflow__TensorShapeProto sshape = TENSORFLOW__TENSOR_SHAPE_PROTO__INIT;
    ProtobufCBinaryData words[8] = {{5, (uint8_t *)"# hi\n"}, {1, (uint8_t *)"b"}, {1, (uint8_t *)"c"},
                                    {1, (uint8_t *)"d"}, {1, (uint8_t *)"e"}, {1, (uint8_t *)"f"},
                                    {1, (uint8_t *)"g"}, {1, (uint8_t *)"h"}};
    Tensorflow__TensorProto ts = TENSORFLOW__TENSOR_PROTO__INIT;
    ts.dtype = TENSORFLOW__DATA_TYPE__DT_STRING;
    ts.tensor_shape = &sshape;
    ts.n_string_val = 1;
    ts.string_val = words;
    tensor_value(f, 1, "text_tag", &text_plugin, &ts);
    sd[0].size = sd[1].size = 2;
    sshape.n_dim = 2;
    sshape.dim = sdims;
    ts.n_string_val = 4;
    tensor_value(f, 2, "text_tag", NULL, &ts);
    tensor_value(f, 3, "text_tag", NULL, &t);
    sd[2].size = 2;
    sshape.n_dim = 3;
    ts.n_string_val = 8;
    tensor_value(f, 4, "text_tag", NULL, &ts);
    /* A graph trace keeps its newest blob. */
    ts.n_string_val = 1;
    sshape.n_dim = 0;
    tensor_value(f, 5, "trace", &trace_plugin, &ts);
    ts.string_val = &words[6];
    tensor_value(f, 8, "trace", NULL, &ts);
    /* Legacy audio, and run metadata of TF1's add_run_metadata. */
    Tensorflow__Summary__Audio snd = TENSORFLOW__SUMMARY__AUDIO__INIT;
    Tensorflow__Summary__Value sndv = TENSORFLOW__SUMMARY__VALUE__INIT;
    sndv.tag = "snd";
    sndv.value_case = TENSORFLOW__SUMMARY__VALUE__VALUE_AUDIO;
    sndv.audio = &snd;
    eb_value(f, 40.0, 3, &sndv);
    Tensorflow__TaggedRunMetadata trm = TENSORFLOW__TAGGED_RUN_METADATA__INIT;
    trm.tag = "step_9";
    Tensorflow__Event rev = TENSORFLOW__EVENT__INIT;
    rev.step = 9;
    rev.what_case = TENSORFLOW__EVENT__WHAT_TAGGED_RUN_METADATA;
    rev.tagged_run_metadata = &trm;
    eb_write_event(f, &rev);

    /* A TF2 histogram: rows (left, right, count). */
    Tensorflow__TensorShapeProto__Dim d0 = TENSORFLOW__TENSOR_SHAPE_PROTO__DIM__INIT, d1 = d0, *dims[2] = {&d0, &d1};
    d0.size = 2;
    d1.size = 3;
    Tensorflow__TensorShapeProto hshape = TENSORFLOW__TENSOR_SHAPE_PROTO__INIT;
    hshape.n_dim = 2;
    hshape.dim = dims;
    double rows[6] = {-1, 0, 3, 0, 2, 5};
    Tensorflow__TensorProto th = TENSORFLOW__TENSOR_PROTO__INIT;
    th.dtype = TENSORFLOW__DATA_TYPE__DT_DOUBLE;
    th.tensor_shape = &hshape;
    th.n_double_val = 6;
    th.double_val = rows;
    tensor_value(f, 7, "t_histogram", &histograms_plugin, &th);

    /* A tag routed to scalars by its first value: a histogram under it is skipped with a warning. */
    eb_scalar(f, 30.0, 1, "mixed", 1.0f);
    Tensorflow__HistogramProto hp = TENSORFLOW__HISTOGRAM_PROTO__INIT;
    Tensorflow__Summary__Value hv2 = TENSORFLOW__SUMMARY__VALUE__INIT;
    hv2.tag = "mixed";
    hv2.value_case = TENSORFLOW__SUMMARY__VALUE__VALUE_HISTO;
    hv2.histo = &hp;
    eb_value(f, 31.0, 2, &hv2);
    fclose(f);

    /* Run "sub/a": no file_version, so a step going backwards purges that tag's later points;
     * two files, read in name order. */
    mkdir(path_in("sub"), 0755);
    mkdir(path_in("sub/a"), 0755);
    mkdir(path_in("empty"), 0755);
    f = eb_open(path_in("sub/a/events.out.tfevents.2.host"));
    eb_scalar(f, 1.0, 0, "acc", 0.1f);
    eb_scalar(f, 2.0, 10, "acc", 0.2f);
    eb_scalar(f, 3.0, 20, "acc", 0.3f);
    eb_scalar(f, 3.5, 20, "other", 7.0f);
    eb_scalar(f, 4.0, 5, "acc", 0.4f);
    write_graph_event(f, "meta_only", true);
    fclose(f);
    f = eb_open(path_in("sub/a/events.out.tfevents.3.host"));
    eb_scalar(f, 5.0, 30, "acc", 0.5f);
    fclose(f);
    f = fopen(path_in("notes.txt"), "w");
    fputs("not an event file\n", f);
    fclose(f);
}

static void test_logdir(void)
{
    tfc_status *st = tfc_status_new();
    tfc_logdir *ld = tfc_logdir_load(root, st);
    CHECK_MSG(ld, "%s", tfc_message(st));
    if (!ld) return;
    CHECK(ld->nruns == 2);
    const tfc_run *r = find_run(ld, ".");
    CHECK(r != NULL);
    if (r) {
        char buf[64];
        CHECK(r->dir && strcmp(r->dir, root) == 0);
        CHECK(strcmp(graph_first_node(r, buf, sizeof buf), "from_graph_def") == 0);
        const tfc_scalar_series *loss = tfc_run_scalar(r, "loss");
        CHECK(loss && loss->n == 3);
        if (loss && loss->n == 3) {
            CHECK(loss->points[0].step == 0 && loss->points[1].step == 1 && loss->points[2].step == 2);
            CHECK(loss->points[1].value == 0.5 && loss->points[2].value == 9.0 && loss->points[2].wall_time == 21.0);
        }
        const tfc_scalar_series *ts = tfc_run_scalar(r, "t_scalar");
        CHECK(ts && ts->n == 4);
        if (ts && ts->n == 4) {
            CHECK(ts->points[0].value == 0.25 && ts->points[1].value == -3.5);
            CHECK(ts->points[2].value == 1234567 && ts->points[3].value == 1.5);
            CHECK(ts->points[3].step == 4 && ts->points[3].wall_time == 104.0);
        }
        CHECK(!tfc_run_scalar(r, "unrouted") && !tfc_run_scalar(r, "text_tag") && !tfc_run_other(r, "unrouted"));
        const tfc_text_series *tx = tfc_run_text(r, "text_tag");
        CHECK(tx && tx->n == 3 && r->ntexts == 1);
        if (tx && tx->n == 3) {
            CHECK(tx->points[0].step == 1 && tx->points[0].rows == 1 && tx->points[0].cols == 1);
            CHECK(strcmp(tx->points[0].cells[0], "# hi\n") == 0);
            CHECK(tx->points[1].step == 2 && tx->points[1].rows == 2 && tx->points[1].cols == 2);
            CHECK(strcmp(tx->points[1].cells[3], "d") == 0);
            CHECK(tx->points[2].step == 4 && tx->points[2].rows == 2 && tx->points[2].cols == 2);
        }
        const tfc_other_tag *pr = tfc_run_other(r, "pr_tag"), *tr = tfc_run_other(r, "trace");
        const tfc_other_tag *snd = tfc_run_other(r, "snd"), *rm = tfc_run_other(r, "step_9");
        CHECK(pr && strcmp(pr->plugin, "pr_curves") == 0 && pr->n == 2 && pr->first_step == 1 &&
              pr->last_step == 6 && !pr->blob);
        CHECK(tr && strcmp(tr->plugin, "graph_run_metadata_graph") == 0 && tr->n == 2 && tr->blob_len == 1 &&
              tr->blob[0] == 'g');
        CHECK(snd && strcmp(snd->plugin, "audio") == 0 && snd->n == 1 && snd->first_step == 3);
        CHECK(rm && strcmp(rm->plugin, "graph_tagged_run_metadata") == 0 && rm->last_step == 9);
        CHECK(r->nothers == 4);
        for (size_t i = 1; i < r->nothers; i++) CHECK(strcmp(r->others[i - 1].tag, r->others[i].tag) < 0);
        const tfc_histogram_series *th = tfc_run_histogram(r, "t_histogram");
        CHECK(th && th->n == 1);
        if (th && th->n == 1) {
            const tfc_histogram_point *h = &th->points[0];
            CHECK(h->step == 7 && h->nbuckets == 2 && h->min == -1 && h->max == 2 && h->num == 8);
            CHECK(h->limits[0] == 0 && h->limits[1] == 2 && h->counts[0] == 3 && h->counts[1] == 5);
            CHECK(isnan(h->sum) && isnan(h->sum_squares));
        }
        const tfc_scalar_series *mixed = tfc_run_scalar(r, "mixed");
        CHECK(mixed && mixed->n == 1 && !tfc_run_histogram(r, "mixed"));
        /* Sorted by tag. */
        for (size_t i = 1; i < r->nscalars; i++) CHECK(strcmp(r->scalars[i - 1].tag, r->scalars[i].tag) < 0);
    }
    r = find_run(ld, "sub/a");
    CHECK(r != NULL);
    if (r) {
        char buf[64];
        CHECK(strcmp(graph_first_node(r, buf, sizeof buf), "meta_only") == 0);
        const tfc_scalar_series *acc = tfc_run_scalar(r, "acc");
        CHECK(acc && acc->n == 3);
        if (acc && acc->n == 3)
            CHECK(acc->points[0].step == 0 && acc->points[1].step == 5 && acc->points[2].step == 30);
        const tfc_scalar_series *other = tfc_run_scalar(r, "other");
        CHECK(other && other->n == 1);
        CHECK(r->nevents == 7);
    }
    CHECK(ld->nwarnings == 2);
    if (ld->nwarnings == 2) {
        CHECK_MSG(strstr(ld->warnings[0], "tag 'text_tag' is a text tag"), "%s", ld->warnings[0]);
        CHECK_MSG(strstr(ld->warnings[1], "tag 'mixed' is a scalar tag"), "%s", ld->warnings[1]);
    }
    tfc_logdir_free(ld);

    /* One file: a run named after its folder. */
    ld = tfc_logdir_load(path_in("sub/a/events.out.tfevents.3.host"), st);
    CHECK(ld && ld->nruns == 1 && strcmp(ld->runs[0].name, "a") == 0 && ld->runs[0].nscalars == 1);
    tfc_logdir_free(ld);

    /* Errors name the path. */
    CHECK(!tfc_logdir_load(path_in("nope"), st) && tfc_status_code(st) == TFC_NOT_FOUND);
    CHECK(strstr(tfc_message(st), "nope"));
    tfc_status_clear(st);
    CHECK(!tfc_logdir_load(path_in("empty"), st) && tfc_status_code(st) == TFC_NOT_FOUND);
    CHECK(strstr(tfc_message(st), "no event files"));
    tfc_status_free(st);
}

/* Ten scalar events; starts[i] gets event i's offset (event 0 is the file_version). */
static long write_ten(const char *path, long *starts)
{
    FILE *f = eb_open(path);
    eb_file_version(f, 1.0);
    for (int i = 0; i < 10; i++) {
        starts[i] = ftell(f);
        eb_scalar(f, 2.0 + i, i + 1, "x", (float)i);
    }
    long end = ftell(f);
    fclose(f);
    return end;
}

static unsigned char *slurp(const char *path, long *n)
{
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    *n = ftell(f);
    rewind(f);
    unsigned char *b = malloc((size_t)*n);
    if (fread(b, 1, (size_t)*n, f) != (size_t)*n) *n = 0;
    fclose(f);
    return b;
}

static void spill(const char *path, const unsigned char *b, long n)
{
    FILE *f = fopen(path, "wb");
    fwrite(b, 1, (size_t)n, f);
    fclose(f);
}

static size_t count_x(const char *path, tfc_logdir **out)
{
    tfc_status *st = tfc_status_new();
    tfc_logdir *ld = tfc_logdir_load(path, st);
    tfc_status_free(st);
    *out = ld;
    if (!ld) return (size_t)-1;
    const tfc_scalar_series *s = tfc_run_scalar(&ld->runs[0], "x");
    return s ? s->n : 0;
}

static void test_damage(void)
{
    mkdir(path_in("damaged"), 0755);
    const char *good = path_in("damaged/events.out.tfevents.9.good");
    long starts[10];
    long end = write_ten(good, starts), n;
    unsigned char *b = slurp(good, &n);
    CHECK(n == end);
    const char *bad = path_in("damaged/events.out.tfevents.9.bad");
    tfc_logdir *ld;

    /* A flipped bit in event 5's payload: reported with file and offset; events 0-4 are read and
     * nothing after the damage, as TensorBoard reads such a file. */
    b[starts[5] + 20] ^= 0x10;
    spill(bad, b, n);
    CHECK(count_x(bad, &ld) == 5);
    CHECK(ld && ld->nwarnings == 1);
    if (ld && ld->nwarnings == 1) {
        char want[600];
        snprintf(want, sizeof want, "%s: offset %ld: corrupted record: payload checksum mismatch", bad, starts[5]);
        CHECK_MSG(strstr(ld->warnings[0], want), "%s", ld->warnings[0]);
    }
    tfc_logdir_free(ld);

    /* A flipped bit in event 5's length: the same. */
    b[starts[5] + 20] ^= 0x10;
    b[starts[5] + 2] ^= 0x01;
    spill(bad, b, n);
    CHECK(count_x(bad, &ld) == 5);
    CHECK(ld && ld->nwarnings == 1 && strstr(ld->warnings[0], "length checksum mismatch"));
    tfc_logdir_free(ld);
    b[starts[5] + 2] ^= 0x01;

    /* Cut anywhere in event 7: the first seven read, and one warning naming where the file ends
     * inside a record, as a file still being written may. */
    for (long cut = starts[7] + 1; cut < starts[8]; cut += 3) {
        spill(bad, b, cut);
        CHECK_MSG(count_x(bad, &ld) == 7, "cut at %ld", cut);
        CHECK(ld && ld->nwarnings == 1);
        if (ld && ld->nwarnings == 1) {
            char want[600];
            snprintf(want, sizeof want, "%s: offset %ld: incomplete record", bad, starts[7]);
            CHECK_MSG(strstr(ld->warnings[0], want) && strstr(ld->warnings[0], "still being written"), "%s",
                      ld->warnings[0]);
        }
        tfc_logdir_free(ld);
    }
    /* Cut at a record's end: nothing to say. */
    spill(bad, b, starts[8]);
    CHECK(count_x(bad, &ld) == 8 && ld->nwarnings == 0);
    tfc_logdir_free(ld);

    /* gzip's magic where the first record's length should be: said so, not just "corrupted". */
    unsigned char first[2] = {b[0], b[1]};
    b[0] = 0x1f, b[1] = 0x8b;
    spill(bad, b, n);
    CHECK(count_x(bad, &ld) == 0);
    CHECK(ld && ld->nwarnings == 1 && strstr(ld->warnings[0], "offset 0: gzip-compressed"));
    tfc_logdir_free(ld);
    b[0] = first[0], b[1] = first[1];

    /* A record with good checksums that is not an Event. */
    FILE *f = eb_open(bad);
    eb_file_version(f, 1.0);
    eb_write_payload(f, "\xff\xff\xff", 3);
    eb_scalar(f, 3.0, 1, "x", 1.0f);
    fclose(f);
    CHECK(count_x(bad, &ld) == 1);
    CHECK(ld && ld->nwarnings == 1 && strstr(ld->warnings[0], "not a valid Event"));
    tfc_logdir_free(ld);

    /* Many such records (a TFRecord file of other messages): the first named, the rest counted
     * in one line, not a line each. */
    f = eb_open(bad);
    eb_file_version(f, 1.0);
    for (int i = 0; i < 40; i++) {
        eb_write_payload(f, "\xff\xff\xff", 3);
        if (i == 20) eb_scalar(f, 3.0, 1, "x", 1.0f);
    }
    fclose(f);
    CHECK(count_x(bad, &ld) == 1);
    CHECK(ld && ld->nwarnings == 2);
    if (ld && ld->nwarnings == 2) {
        CHECK_MSG(strstr(ld->warnings[0], "not a valid Event"), "%s", ld->warnings[0]);
        CHECK_MSG(strstr(ld->warnings[1], "39 more records that are not Event protobufs were skipped"), "%s",
                  ld->warnings[1]);
    }
    tfc_logdir_free(ld);

    /* Random bytes: warnings, no crash, no values. */
    srand(3);
    for (long i = 0; i < n; i++) b[i] = (unsigned char)rand();
    spill(bad, b, n);
    CHECK(count_x(bad, &ld) == 0);
    CHECK(ld && ld->nwarnings >= 1 && strstr(ld->warnings[0], "offset 0: corrupted record: length checksum mismatch"));
    tfc_logdir_free(ld);
    free(b);
}

static void remove_tree(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

static void legacy_image(FILE *f, int64_t step, const char *tag, const char *bytes)
{
    Tensorflow__Summary__Image im = TENSORFLOW__SUMMARY__IMAGE__INIT;
    im.width = 3;
    im.height = 2;
    im.colorspace = 1;
    im.encoded_image_string = (ProtobufCBinaryData){strlen(bytes), (uint8_t *)bytes};
    Tensorflow__Summary__Value v = TENSORFLOW__SUMMARY__VALUE__INIT;
    v.tag = (char *)tag;
    v.value_case = TENSORFLOW__SUMMARY__VALUE__VALUE_IMAGE;
    v.image = &im;
    eb_value(f, 50.0 + (double)step, step, &v);
}

/* A TF2 image tensor: string vector [width, height, images...]. */
static void tensor_images(FILE *f, int64_t step, const char *tag, const char *const *strings, size_t n)
{
    Tensorflow__TensorShapeProto__Dim dim = TENSORFLOW__TENSOR_SHAPE_PROTO__DIM__INIT, *dims[1] = {&dim};
    dim.size = (int64_t)n;
    Tensorflow__TensorShapeProto shape = TENSORFLOW__TENSOR_SHAPE_PROTO__INIT;
    shape.n_dim = 1;
    shape.dim = dims;
    ProtobufCBinaryData vals[8];
    for (size_t i = 0; i < n; i++) vals[i] = (ProtobufCBinaryData){strlen(strings[i]), (uint8_t *)strings[i]};
    Tensorflow__TensorProto t = TENSORFLOW__TENSOR_PROTO__INIT;
    t.dtype = TENSORFLOW__DATA_TYPE__DT_STRING;
    t.tensor_shape = &shape;
    t.n_string_val = n;
    t.string_val = vals;
    tensor_value(f, step, tag, &images_plugin, &t);
}

static void test_images(void)
{
    char dir[300];
    snprintf(dir, sizeof dir, "%s-images", root);
    CHECK(mkdir(dir, 0777) == 0);
    char path[400];
    snprintf(path, sizeof path, "%s/events.out.tfevents.1.host", dir);
    FILE *f = eb_open(path);
    eb_file_version(f, 1.0);
    legacy_image(f, 1, "in/image/0", "png-one");
    legacy_image(f, 5, "in/image/0", "png-five");
    tensor_images(f, 2, "t_img", (const char *const[]){"28", "14", "first", "second"}, 4);
    tensor_images(f, 3, "t_img", (const char *const[]){"28", "14"}, 2);
    tensor_images(f, 4, "bad_img", (const char *const[]){"wide", "14", "x"}, 3);
    eb_session_start(f, 60.0, 4); /* drops the step-5 image */
    fclose(f);
    tfc_status *st = tfc_status_new();
    tfc_logdir *ld = tfc_logdir_load(dir, st);
    CHECK_MSG(ld && ld->nruns == 1, "%s", tfc_message(st));
    if (ld && ld->nruns == 1) {
        const tfc_run *r = &ld->runs[0];
        CHECK(r->nimages == 2 && r->nscalars == 0);
        const tfc_image_series *in = tfc_run_images(r, "in/image/0");
        CHECK(in && in->n == 1);
        if (in && in->n == 1) {
            const tfc_image_point *p = &in->points[0];
            CHECK(p->step == 1 && p->wall_time == 51.0 && p->nimages == 1);
            CHECK(p->images[0].width == 3 && p->images[0].height == 2 && p->images[0].colorspace == 1);
            CHECK(p->images[0].len == 7 && memcmp(p->images[0].data, "png-one", 7) == 0);
        }
        const tfc_image_series *t = tfc_run_images(r, "t_img");
        CHECK(t && t->n == 2);
        if (t && t->n == 2) {
            const tfc_image_point *p = &t->points[0];
            CHECK(p->step == 2 && p->nimages == 2 && t->points[1].nimages == 0);
            CHECK(p->images[1].width == 28 && p->images[1].height == 14 && p->images[1].colorspace == 0);
            CHECK(p->images[1].len == 6 && memcmp(p->images[1].data, "second", 6) == 0);
        }
        CHECK(!tfc_run_images(r, "bad_img"));
        CHECK(ld->nwarnings == 1);
        if (ld->nwarnings == 1)
            CHECK_MSG(strstr(ld->warnings[0], "tag 'bad_img' is an image tag"), "%s", ld->warnings[0]);
    }
    tfc_logdir_free(ld);
    tfc_status_free(st);
    remove_tree(dir);
}

int main(void)
{
    snprintf(root, sizeof root, "%s/tfc-test-logdir-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 1;
    }
    make_logdir();
    test_logdir();
    test_damage();
    test_images();
    remove_tree(root);
    return check_result();
}
