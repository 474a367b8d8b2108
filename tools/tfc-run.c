/* tfc-run: trains one of the seed networks on MNIST or Fashion-MNIST, prints progress and the
 * test accuracy. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <libgen.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>

#include "ckpt_restore.h"
#include "distributed.h"
#include "event_writer.h"
#include "mnist.h"
#include "models.h"
#include "mpi_comm.h"
#include "ops.h"
#include "out_file.h"
#include "progress.h"
#include "saver.h"
#include "session.h"
#include "stdio_guard.h"

static const char usage[] =
    "Usage: tfc-run [OPTION]... DATASET\n"
    "       tfc-run --graph FILE --input X --labels Y --accuracy A [--train-op OP] [OPTION]... DATASET\n"
    "Train one of the seed tutorials' networks, or a TensorFlow graph, on DATASET (mnist or\n"
    "fashion-mnist), print progress and the test accuracy.\n"
    "\n"
    "  --model NAME        softmax, mlp (default), deep or cnn\n"
    "  --steps N           training steps (default: the model's seed setting)\n"
    "  --epochs N          training epochs over the 55,000 training images instead of --steps\n"
    "  --batch-size N      examples per step, per rank under mpirun (default: the model's)\n"
    "  --lr RATE           learning rate (default: the model's)\n"
    "  --optimizer NAME    gd, momentum, nesterov, adagrad, rmsprop, centered-rmsprop or adam\n"
    "                      (default: the model's), with TensorFlow's settings but for momentum\n"
    "                      0.9 (momentum, nesterov), Adagrad's initial accumulator 1e-10 and its\n"
    "                      first 1,000 steps at a fifth of --lr (a warmup), RMSProp's decay 0.99\n"
    "                      and epsilon 1e-14; another than the model's own comes with its own --lr\n"
    "                      default: gd 0.5, momentum and nesterov 0.005, adagrad 0.05, the\n"
    "                      rmsprops 0.001, adam 0.001\n"
    "  --keep-prob P       dropout's keep probability in training (default: the model's); with\n"
    "                      --graph, NAME=P: the graph's keep probability placeholder and its value\n"
    "                      (fed P in training steps, 1 when evaluating)\n"
    "  --dropout-rate NAME=R  with --graph: the graph's dropout rate placeholder\n"
    "                      (tf.nn.dropout(rate=)), fed R in training steps, 0 when evaluating\n"
    "  --scale-lr          under mpirun, multiply the learning rate by the number of ranks\n"
    "  --seed N            seed of the initial weights, shuffling and dropout (default 0);\n"
    "                      a run is reproducible for a given seed and thread count\n"
    "  --threads N         worker threads (default: all cores)\n"
    "  --data-dir DIR      folder with the four IDX files (plain or .gz); otherwise $TFC_DATA_DIR,\n"
    "                      ./MNIST_data and ~/.cache/tfc/mnist are searched\n"
    "  --logdir DIR        where runs are written (default events): each run is a sub-folder\n"
    "                      holding its event files (graph, summaries) and checkpoints\n"
    "  --run NAME          the run's sub-folder (default MODEL-YYYYMMDD-HHMMSS)\n"
    "  --no-logdir         write no event files and no checkpoints\n"
    "  --summary-every N   write the Loss and Accuracy summaries every N steps (default 100, 0: never),\n"
    "                      computed on that step's batch with dropout off\n"
    "  --histograms        also write histograms of the weights, biases and activations\n"
    "  --images N          also write N input images (input_reshape/input/image/0, ...) as image\n"
    "                      summaries, and for the cnn its first layer's 32 filters as one grid\n"
    "                      (model/conv1/filters/image)\n"
    "  --save-every N      save a checkpoint every N steps (default: only at the end); the run's\n"
    "                      folder keeps the newest 5 (model.ckpt-STEP.index and .data-00000-of-00001)\n"
    "  --restore[=PATH]    continue from a checkpoint, at its step: PATH is a checkpoint prefix, a\n"
    "                      run folder or a logdir; without PATH, the newest run in --logdir. The\n"
    "                      run goes on in the checkpoint's folder, or in --logdir's --run NAME\n"
    "  --eval              only evaluate a restored model (the checkpoint as for --restore); with\n"
    "                      --graph and no --restore, the graph as it is (a frozen graph)\n"
    "  --profile           after training, print where the kernels spent their time, per op type\n"
    "                      and for the slowest nodes (ms per step)\n"
    "  --warmup N          train N steps before the --steps ones and leave them out of the\n"
    "                      examples/s figure and --profile (for benchmarks; default 0)\n"
    "  --quiet             print only the results\n"
    "  -h, --help          show this help\n"
    "\n"
    "A TensorFlow graph (a MetaGraph .meta, a binary GraphDef .pb or a SavedModel's saved_model.pb,\n"
    "written by TensorFlow 1 or tf.compat.v1) trains with its own loss and optimizer when its\n"
    "tensors are named:\n"
    "  --graph FILE        the graph, instead of --model\n"
    "  --input X           the images' placeholder (float32, [?, 784] or [?, 28, 28, 1])\n"
    "  --labels Y          the labels' placeholder: one-hot (float32 [?, 10]) or class indices\n"
    "                      (int32 or int64 [?], as sparse_softmax_cross_entropy_with_logits takes)\n"
    "  --accuracy A        the accuracy (a float32 scalar), reported on the test set\n"
    "  --train-op OP       the training step (default: the MetaGraph's train_op collection)\n"
    "  --loss L            the loss shown in the progress (default: the losses collection)\n"
    "  --training NAME     the graph's bool placeholder that switches its batch norm or dropout\n"
    "                      (tf.cond on is_training): fed true in training steps and false when\n"
    "                      evaluating and for summaries (a placeholder_with_default needs none)\n"
    "Its variables start from their initialisers or --restore (a TensorFlow checkpoint of the graph);\n"
    "its summaries collection is written every --summary-every steps, and checkpoints with their\n"
    ".meta as TensorFlow's Saver writes them. 1,000 steps of 100 unless told otherwise. Nodes placed\n"
    "on a GPU or another task (a graph written on a GPU machine) run on this CPU, with one note.\n"
    "\n"
    "The models follow the seeds: softmax (GD 0.5, 1,000 steps of 100), mlp (784-300-10, GD 0.5,\n"
    "10 epochs of 100), deep (784-500-100-10 with dropout, Adam 0.001, 20,000 steps of 100),\n"
    "cnn (two conv+pool layers, fc 1024, dropout, Adam 1e-4, 20,000 steps of 50).\n"
    "\n"
    "Under an MPI launcher (mpirun -np N tfc-run ...), N processes train one model, Horovod-style:\n"
    "rank 0's initial (or restored) variables go to all, each rank trains on its own share of every\n"
    "batch (--batch-size examples; N x that per step in all), the gradients are averaged over the\n"
    "ranks by allreduce ops in the graph, and rank 0 alone prints, writes event files and\n"
    "checkpoints. examples/s counts all ranks.\n"
    "Exit status: 0 on success, 1 on a failure, 2 on a usage error.\n";

typedef struct {
    const char *dataset;
    const char *model;
    int64_t steps;
    int epochs;
    int batch;
    float lr;
    const char *optimizer;
    uint64_t seed;
    int threads;
    const char *data_dir;
    const char *logdir;
    const char *run;
    int summary_every;
    bool histograms;
    int images;
    int64_t save_every;
    bool restore;
    const char *restore_path;
    bool eval_only;
    bool quiet;
    bool profile;
    int64_t warmup;
    float keep_prob;
    float dropout_rate;
    bool scale_lr;
    tfc_graph_model_spec graph; /* graph.graph NULL: a seed model */
} options;

/* The longest --logdir or --restore path: a run's folder and a file name must fit after it. */
#define MAX_DIR_BYTES (PATH_MAX - 512)

/* Under mpirun, the gradients go to the allreduce in buckets of up to this many floats (1 MB). */
#define TFC_RUN_BUCKET_FLOATS (256 * 1024)

/* Ranks other than 0 print nothing of their own: the job's output is rank 0's. */
static bool silent_rank;

/* SIGINT, SIGTERM or SIGHUP when training alone: the first stops training after the current step,
 * and the run says where its newest checkpoint is before it ends by that signal; a second ends it
 * at once, after the event writer's handlers have written out the buffered summaries. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    stop_signal = sig;
    tfc_event_writer_flush_on_signals();
}

static void stop_on_signals(void)
{
    struct sigaction sa = {.sa_handler = on_stop_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

static int usage_error(const char *fmt, const char *arg)
{
    if (silent_rank) return 2;
    fprintf(stderr, "tfc-run: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see tfc-run --help)\n");
    return 2;
}

static bool parse_int(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return false;
    *out = v;
    return true;
}

/* Returns 0 when parsed, else the exit status for a usage error (or -1 after --help). */
static int parse_args(int argc, char **argv, options *o)
{
    enum { O_MODEL = 256, O_STEPS, O_EPOCHS, O_BATCH, O_LR, O_OPT, O_SEED, O_THREADS, O_DATA, O_QUIET, O_LOGDIR, O_RUN,
           O_NOLOG, O_SUMMARY, O_HIST, O_SAVE, O_RESTORE, O_EVAL, O_PROFILE, O_WARMUP, O_KEEP, O_RATE, O_SCALE_LR, O_IMAGES,
           O_GRAPH, O_INPUT, O_LABELS, O_ACCURACY, O_TRAIN_OP, O_LOSS, O_TRAINING };
    static const struct option longopts[] = {
        {"model", required_argument, 0, O_MODEL},   {"steps", required_argument, 0, O_STEPS},
        {"epochs", required_argument, 0, O_EPOCHS}, {"batch-size", required_argument, 0, O_BATCH},
        {"lr", required_argument, 0, O_LR},         {"optimizer", required_argument, 0, O_OPT},
        {"seed", required_argument, 0, O_SEED},     {"threads", required_argument, 0, O_THREADS},
        {"data-dir", required_argument, 0, O_DATA}, {"quiet", no_argument, 0, O_QUIET},
        {"logdir", required_argument, 0, O_LOGDIR}, {"run", required_argument, 0, O_RUN},
        {"no-logdir", no_argument, 0, O_NOLOG},     {"summary-every", required_argument, 0, O_SUMMARY},
        {"histograms", no_argument, 0, O_HIST},     {"save-every", required_argument, 0, O_SAVE},
        {"restore", optional_argument, 0, O_RESTORE}, {"eval", no_argument, 0, O_EVAL},
        {"profile", no_argument, 0, O_PROFILE},     {"warmup", required_argument, 0, O_WARMUP},
        {"images", required_argument, 0, O_IMAGES},
        {"keep-prob", required_argument, 0, O_KEEP}, {"dropout-rate", required_argument, 0, O_RATE},
        {"scale-lr", no_argument, 0, O_SCALE_LR},
        {"graph", required_argument, 0, O_GRAPH},   {"input", required_argument, 0, O_INPUT},
        {"labels", required_argument, 0, O_LABELS}, {"accuracy", required_argument, 0, O_ACCURACY},
        {"train-op", required_argument, 0, O_TRAIN_OP}, {"loss", required_argument, 0, O_LOSS},
        {"training", required_argument, 0, O_TRAINING},
        {"help", no_argument, 0, 'h'},              {0, 0, 0, 0},
    };
    memset(o, 0, sizeof *o);
    o->model = "mlp";
    o->logdir = "events";
    o->summary_every = 100;
    opterr = 0;
    int c;
    long long v;
    bool model_given = false;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            if (!silent_rank) fputs(usage, stdout);
            return -1;
        case O_MODEL:
            o->model = optarg;
            model_given = true;
            break;
        case O_STEPS:
            if (!parse_int(optarg, 1, INT64_MAX / 2, &v)) return usage_error("--steps: '%s' is not a positive whole number", optarg);
            o->steps = v;
            break;
        case O_EPOCHS:
            if (!parse_int(optarg, 1, 100000, &v)) return usage_error("--epochs: '%s' is not a positive whole number", optarg);
            o->epochs = (int)v;
            break;
        case O_BATCH:
            if (!parse_int(optarg, 1, 55000, &v)) return usage_error("--batch-size: '%s' is not a number from 1 to 55000", optarg);
            o->batch = (int)v;
            break;
        case O_LR: {
            char *end;
            double d = strtod(optarg, &end);
            o->lr = (float)d; /* a rate float32 rounds to 0 or infinity is refused too */
            if (end == optarg || *end || !(o->lr > 0) || !isfinite(o->lr))
                return usage_error("--lr: '%s' is not a positive number (float32, 1e-45 to 3.4e38)", optarg);
            break;
        }
        case O_KEEP: {
            /* P, or NAME=P for a graph's placeholder */
            char *eq = strrchr(optarg, '='), *end;
            double d = strtod(eq ? eq + 1 : optarg, &end);
            o->keep_prob = (float)d;
            if (end == (eq ? eq + 1 : optarg) || *end || !(o->keep_prob > 0 && o->keep_prob <= 1) || eq == optarg)
                return usage_error("--keep-prob: '%s' is not a number in (0, 1] or NAME=P", optarg);
            if (eq) {
                *eq = '\0';
                o->graph.keep_prob = optarg;
            }
            break;
        }
        case O_RATE: {
            /* NAME=R: a graph's dropout rate placeholder (tf.nn.dropout(rate=)), fed R, 0 to evaluate */
            char *eq = strrchr(optarg, '='), *end;
            double d = eq ? strtod(eq + 1, &end) : -1;
            if (!eq || eq == optarg || end == eq + 1 || *end || !(d >= 0 && d < 1))
                return usage_error("--dropout-rate: '%s' is not NAME=R with R in [0, 1)", optarg);
            *eq = '\0';
            o->graph.keep_prob = optarg;
            o->graph.keep_prob_is_rate = true;
            o->dropout_rate = (float)d;
            break;
        }
        case O_GRAPH: o->graph.graph = optarg; break;
        case O_INPUT: o->graph.input = optarg; break;
        case O_LABELS: o->graph.labels = optarg; break;
        case O_ACCURACY: o->graph.accuracy = optarg; break;
        case O_TRAIN_OP: o->graph.train_op = optarg; break;
        case O_LOSS: o->graph.loss = optarg; break;
        case O_TRAINING: o->graph.training = optarg; break;
        case O_SCALE_LR: o->scale_lr = true; break;
        case O_OPT: {
            bool known = false;
            for (int i = 0; tfc_model_optimizers[i]; i++) known |= strcmp(tfc_model_optimizers[i], optarg) == 0;
            if (!known)
                return usage_error("--optimizer: '%s' is not one of gd, momentum, nesterov, adagrad, rmsprop, "
                                   "centered-rmsprop, adam",
                                   optarg);
            o->optimizer = optarg;
            break;
        }
        case O_SEED:
            if (!parse_int(optarg, 0, LLONG_MAX, &v)) return usage_error("--seed: '%s' is not a whole number >= 0", optarg);
            o->seed = (uint64_t)v;
            break;
        case O_THREADS:
            if (!parse_int(optarg, 1, 256, &v)) return usage_error("--threads: '%s' is not a number from 1 to 256", optarg);
            o->threads = (int)v;
            break;
        case O_DATA: o->data_dir = optarg; break;
        case O_QUIET: o->quiet = true; break;
        case O_LOGDIR:
            if (!*optarg) return usage_error("%s", "--logdir needs a folder (or use --no-logdir)");
            o->logdir = optarg;
            break;
        case O_RUN:
            if (!*optarg || strchr(optarg, '/') || strcmp(optarg, ".") == 0 || strcmp(optarg, "..") == 0 ||
                strlen(optarg) > NAME_MAX)
                return usage_error("--run: '%s' is not a folder name", optarg);
            o->run = optarg;
            break;
        case O_NOLOG: o->logdir = NULL; break;
        case O_HIST: o->histograms = true; break;
        case O_IMAGES:
            if (!parse_int(optarg, 0, 1000, &v)) return usage_error("--images: '%s' is not a number from 0 to 1000", optarg);
            o->images = (int)v;
            break;
        case O_SAVE:
            if (!parse_int(optarg, 1, INT64_MAX / 2, &v)) return usage_error("--save-every: '%s' is not a positive whole number", optarg);
            o->save_every = v;
            break;
        case O_RESTORE:
            o->restore = true;
            o->restore_path = optarg;
            break;
        case O_EVAL: o->eval_only = true; break;
        case O_PROFILE: o->profile = true; break;
        case O_WARMUP:
            if (!parse_int(optarg, 0, INT64_MAX / 4, &v)) return usage_error("--warmup: '%s' is not a whole number >= 0", optarg);
            o->warmup = v;
            break;
        case O_SUMMARY:
            if (!parse_int(optarg, 0, INT_MAX, &v)) return usage_error("--summary-every: '%s' is not a whole number >= 0", optarg);
            o->summary_every = (int)v;
            break;
        case ':': return usage_error("%s needs a value", argv[optind - 1]);
        default: return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc) return usage_error("%s", "missing DATASET (mnist or fashion-mnist)");
    if (optind + 1 < argc) return usage_error("unexpected argument '%s'", argv[optind + 1]);
    o->dataset = argv[optind];
    if (strcmp(o->dataset, "mnist") && strcmp(o->dataset, "fashion-mnist"))
        return usage_error("unknown dataset '%s' (known: mnist, fashion-mnist)", o->dataset);
    bool known = false;
    for (int i = 0; tfc_model_names[i]; i++) known |= strcmp(tfc_model_names[i], o->model) == 0;
    if (!known) return usage_error("--model: unknown model '%s' (known: softmax, mlp, deep, cnn)", o->model);
    tfc_graph_model_spec *gs = &o->graph;
    if (!gs->graph && (gs->input || gs->labels || gs->accuracy || gs->train_op || gs->loss || gs->keep_prob || gs->training))
        return usage_error("%s", "--input, --labels, --accuracy, --train-op, --loss, --keep-prob NAME=P, --dropout-rate and --training go "
                                 "with --graph");
    if (gs->graph) {
        const char *clash = model_given ? "--model" : o->lr > 0 ? "--lr" : o->optimizer ? "--optimizer" :
                            o->histograms ? "--histograms" : o->scale_lr ? "--scale-lr" : o->images ? "--images" : NULL;
        if (clash) return usage_error("%s does not go with --graph: the graph holds its network and optimizer", clash);
        if (!gs->input || !gs->labels || !gs->accuracy)
            return usage_error("%s", "--graph needs --input, --labels and --accuracy (the tensors' names, e.g. x:0)");
        if (o->keep_prob > 0 && !gs->keep_prob)
            return usage_error("%s", "with --graph, --keep-prob is NAME=P (the graph's placeholder and its value)");
        if (o->keep_prob > 0 && gs->keep_prob_is_rate)
            return usage_error("%s", "--keep-prob and --dropout-rate: give the one the graph's dropout takes");
        gs->keep_prob_train = gs->keep_prob_is_rate ? o->dropout_rate : o->keep_prob;
        gs->summaries = o->logdir && o->summary_every > 0;
    }
    if (o->steps && o->epochs) return usage_error("%s", "give --steps or --epochs, not both");
    if ((o->restore || (o->eval_only && !gs->graph)) && !o->restore_path && !o->logdir)
        return usage_error("%s", "--restore and --eval need a checkpoint: give --restore=PATH or a --logdir");
    /* room for a run's folder and a file name (255 bytes each at most) in a path */
    const char *flag = o->logdir && strlen(o->logdir) > MAX_DIR_BYTES                  ? "--logdir"
                       : o->restore_path && strlen(o->restore_path) > MAX_DIR_BYTES ? "--restore"
                                                                                     : NULL;
    if (flag) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s: the path is longer than %d bytes, too long for a run's folder and files", flag,
                 MAX_DIR_BYTES);
        return usage_error("%s", msg);
    }
    return 0;
}

typedef struct {
    tfc_model model;
    tfc_session *session;
    tfc_mnist *data;
    tfc_tensor *x, *y, *keep_train, *keep_eval;
    tfc_tensor *train_mode, *eval_mode; /* the model's training switch: true, false */
    char run_dir[PATH_MAX]; /* "" without a logdir */
    char newest[PATH_MAX];  /* the newest checkpoint saved or restored, "" when none */
    tfc_event_writer *events;
    int64_t trained; /* steps this run trained after its --warmup ones (the timed ones) */
    tfc_comm *comm;  /* the ranks training together under mpirun; NULL alone */
    int rank, nranks;
} run_state;

/* mkdir -p for the logdir; the run folder itself is created by the event writer. */
static bool make_dirs(const char *path, tfc_status *st)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || !*p) {
            char c = *p;
            *p = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST) return tfc_fail(st, TFC_IO, "%s: cannot create: %s", buf, strerror(errno));
            if (!c) break;
            *p = c;
        }
    }
    return true;
}

/* The run's folder: LOGDIR/NAME, NAME from --run or MODEL-YYYYMMDD-HHMMSS (with -2, -3... when taken). */
static bool choose_run_dir(run_state *r, const options *o, tfc_status *st)
{
    if (!make_dirs(o->logdir, st)) return false;
    struct stat sb;
    if (o->run) {
        snprintf(r->run_dir, sizeof r->run_dir, "%s/%s", o->logdir, o->run);
        return true;
    }
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    snprintf(r->run_dir, sizeof r->run_dir, "%s/%s-%s", o->logdir, r->model.name, stamp);
    for (int i = 2; stat(r->run_dir, &sb) == 0; i++)
        snprintf(r->run_dir, sizeof r->run_dir, "%s/%s-%s-%d", o->logdir, r->model.name, stamp, i);
    return true;
}

static bool is_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* The checkpoint to restore: PATH (a prefix, a run folder with a `checkpoint` file, or a logdir
 * whose newest such run is taken) or, without PATH, the newest run of the logdir. Sets the run
 * folder that training goes on in, and the path for tfc_saver_restore. */
static bool resolve_restore(run_state *r, const options *o, char *ckpt, size_t cap, tfc_status *st)
{
    const char *path = o->restore_path ? o->restore_path : o->logdir;
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s.index", path);
    if (is_file(buf)) {
        snprintf(ckpt, cap, "%s", path);
        snprintf(buf, sizeof buf, "%s", path);
        snprintf(r->run_dir, sizeof r->run_dir, "%s", dirname(buf));
        return true;
    }
    snprintf(buf, sizeof buf, "%s/checkpoint", path);
    if (is_file(buf)) {
        snprintf(ckpt, cap, "%s", path);
        snprintf(r->run_dir, sizeof r->run_dir, "%s", path);
        return true;
    }
    DIR *d = opendir(path);
    if (!d) return tfc_fail(st, TFC_NOT_FOUND, "%s: no checkpoint there (%s)", path, strerror(errno));
    double newest = -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        struct stat sb;
        snprintf(buf, sizeof buf, "%s/%s/checkpoint", path, e->d_name);
        if (stat(buf, &sb) == 0 && S_ISREG(sb.st_mode)) {
            double t = (double)sb.st_mtim.tv_sec + sb.st_mtim.tv_nsec * 1e-9;
            if (t > newest) {
                newest = t;
                snprintf(r->run_dir, sizeof r->run_dir, "%s/%s", path, e->d_name);
            }
        }
    }
    closedir(d);
    if (newest < 0) return tfc_fail(st, TFC_NOT_FOUND, "%s: no checkpoint there, nor in any run folder in it", path);
    snprintf(ckpt, cap, "%s", r->run_dir);
    return true;
}

static bool open_events(run_state *r, const options *o, tfc_status *st)
{
    if (!o->logdir && !r->run_dir[0]) return true;
    if (!r->run_dir[0] && !choose_run_dir(r, o, st)) return false;
    r->events = tfc_event_writer_open(r->run_dir, NULL, st);
    if (!r->events) return false;
    tfc_event_writer_flush_on_signals();
    return tfc_event_writer_add_graph(r->events, r->model.g, st) && tfc_event_writer_flush(r->events, st);
}

/* Frees what the run holds (and forgets it, so a second call does nothing). */
static void free_state(run_state *r, tfc_status *st)
{
    tfc_event_writer_close(r->events, st);
    tfc_session_free(r->session);
    tfc_model_free(&r->model);
    tfc_mnist_free(r->data);
    tfc_tensor_free(r->x);
    tfc_tensor_free(r->y);
    tfc_tensor_free(r->keep_train);
    tfc_tensor_free(r->keep_eval);
    tfc_tensor_free(r->train_mode);
    tfc_tensor_free(r->eval_mode);
    r->events = NULL;
    r->session = NULL;
    r->data = NULL;
    r->x = r->y = r->keep_train = r->keep_eval = r->train_mode = r->eval_mode = NULL;
}

/* Fetches one tensor for the current batch with dropout off (and the training switch false). */
static bool run_on_batch(run_state *r, tfc_out fetch, tfc_tensor **out, tfc_status *st)
{
    tfc_feed feeds[4];
    int nfeeds = tfc_model_feeds(&r->model, r->x, r->y, r->keep_eval, r->eval_mode, feeds);
    return tfc_session_run(r->session, feeds, nfeeds, &fetch, 1, out, st);
}

/* Accuracy of the model on the current batch with dropout off (the seeds' "training accuracy"). */
static bool batch_accuracy(run_state *r, double *acc, tfc_status *st)
{
    tfc_tensor *out = NULL;
    if (!run_on_batch(r, r->model.accuracy, &out, st)) return false;
    *acc = tfc_f32(out)[0];
    tfc_tensor_free(out);
    return true;
}

/* The merged summaries on the current batch with dropout off: an extra forward pass of one batch
 * every --summary-every steps, so Accuracy and Loss are the model's, not a dropped-out one's. */
static bool write_summaries(run_state *r, int64_t step, tfc_status *st)
{
    tfc_tensor *out = NULL;
    if (!run_on_batch(r, r->model.summaries, &out, st)) return false;
    size_t len;
    const char *summary = tfc_tensor_string(out, 0, &len);
    bool ok = tfc_event_writer_add_summary(r->events, summary, len, step, st);
    tfc_tensor_free(out);
    return ok;
}

static int64_t current_step(run_state *r)
{
    const tfc_tensor *gs = tfc_session_variable(r->session, tfc_variable_node(r->model.g, r->model.global_step));
    return gs ? tfc_i64(gs)[0] : 0;
}

static bool save(run_state *r, int64_t step, tfc_progress *p, tfc_status *st)
{
    if (!r->run_dir[0]) return true;
    char prefix[PATH_MAX + 16];
    snprintf(prefix, sizeof prefix, "%s/model.ckpt", r->run_dir);
    /* The summaries up to this step go out first: a run resumed from this checkpoint has them. */
    if (!tfc_event_writer_flush(r->events, st) ||
        !tfc_saver_save(r->session, prefix, step, 5, r->newest, sizeof r->newest, st) ||
        !tfc_saver_write_meta(r->session, r->newest, st))
        return false;
    if (p) tfc_progress_note(p, "saved %s", r->newest);
    return true;
}

typedef struct {
    const char *name; /* op type, or node name */
    const char *op;
    double seconds;
    int nodes;
} profile_row;

static int by_seconds(const void *a, const void *b)
{
    double x = ((const profile_row *)a)->seconds, y = ((const profile_row *)b)->seconds;
    return (x < y) - (x > y);
}

static void print_rows(profile_row *rows, int n, int top, double total, int64_t steps, bool by_type)
{
    qsort(rows, (size_t)n, sizeof *rows, by_seconds);
    for (int i = 0; i < n && i < top && rows[i].seconds > 0; i++) {
        printf("  %8.3f  %5.1f%%  ", 1e3 * rows[i].seconds / (double)steps, 100 * rows[i].seconds / total);
        if (by_type)
            printf("%s (%d node%s)\n", rows[i].name, rows[i].nodes, rows[i].nodes == 1 ? "" : "s");
        else
            printf("%s (%s)\n", rows[i].name, rows[i].op);
    }
}

/* Under mpirun, --profile's line on the gradients' allreduce: payload, buckets and time per step. */
static void print_allreduce(run_state *r, int64_t steps)
{
    const tfc_graph *g = r->model.g;
    int buckets = 0;
    int64_t floats = 0;
    double secs = 0;
    for (int v = 0; v < tfc_graph_num_nodes(g); v++) {
        if (strcmp(tfc_node_op(g, v), "GroupedAllreduce")) continue;
        buckets++;
        for (int i = 0; i < tfc_node_num_inputs(g, v); i++) floats += tfc_shape_numel(tfc_out_shape(g, tfc_node_input(g, v, i)));
        double t;
        int64_t runs;
        tfc_session_node_time(r->session, v, &t, &runs);
        secs += t;
    }
    if (buckets && r->nranks > 1)
        printf("allreduce: %.2f MB per step in %d bucket%s over %d ranks, %.3f ms per step\n", 4e-6 * (double)floats,
               buckets, buckets == 1 ? "" : "s", r->nranks, 1e3 * secs / (double)steps);
}

/* --profile: the kernels' time over the training steps (summaries and accuracy reports included),
 * summed per op type and listed for the slowest nodes. */
static void print_profile(run_state *r, int64_t steps)
{
    if (steps <= 0) return;
    const tfc_graph *g = r->model.g;
    int n = tfc_graph_num_nodes(g);
    profile_row *nodes = calloc((size_t)n, sizeof *nodes), *types = calloc((size_t)n, sizeof *types);
    if (!nodes || !types) {
        free(nodes);
        free(types);
        return;
    }
    int ntypes = 0;
    double total = 0;
    for (int v = 0; v < n; v++) {
        int64_t runs;
        double secs;
        tfc_session_node_time(r->session, v, &secs, &runs);
        nodes[v] = (profile_row){tfc_node_name(g, v), tfc_node_op(g, v), secs, 1};
        total += secs;
        int t = 0;
        while (t < ntypes && strcmp(types[t].name, nodes[v].op)) t++;
        if (t == ntypes) types[ntypes++] = (profile_row){nodes[v].op, nodes[v].op, 0, 0};
        types[t].seconds += secs;
        types[t].nodes++;
    }
    if (total > 0) {
        printf("profile: %.3f ms of kernel time per step over %lld steps\n", 1e3 * total / (double)steps, (long long)steps);
        print_allreduce(r, steps);
        printf("  ms/step   share  op type\n");
        print_rows(types, ntypes, 15, total, steps, true);
        printf("  ms/step   share  node\n");
        print_rows(nodes, n, 15, total, steps, false);
    }
    free(nodes);
    free(types);
}

static bool train(run_state *r, const options *o, int64_t total, tfc_status *st)
{
    tfc_model *m = &r->model;
    int batch = (int)r->x->shape.dims[0];
    int steps_per_epoch = r->data->train.n / (batch * r->nranks);
    tfc_batcher b;
    if (!tfc_batcher_init(&b, &r->data->train, o->seed, 1)) return tfc_fail(st, TFC_INTERNAL, "out of memory");
    int64_t start = current_step(r);
    tfc_batcher_skip(&b, start * batch * r->nranks);
    tfc_session_reset_profile(r->session);
    tfc_progress p;
    tfc_progress_start(&p, stderr, start, total, o->quiet);
    bool by_epoch = m->epochs > 0 && !o->steps;
    int report_every = strcmp(m->name, "cnn") == 0 ? 100 : strcmp(m->name, "deep") == 0 ? 1000 : 0;
    double epoch_cost = 0, loss = 0;
    int64_t examples = 0;
    /* --warmup: the clock (and the profile) start after the first o->warmup steps */
    int64_t timed = total - start > o->warmup ? start + o->warmup : total;
    double t0 = tfc_now();
    bool ok = true;
    for (int64_t step = start; ok && step < total && !stop_signal; step++) {
        if (step == timed && step > start) {
            t0 = tfc_now();
            tfc_session_reset_profile(r->session);
        }
        tfc_batcher_next_shard(&b, batch, r->rank, r->nranks, tfc_f32(r->x), tfc_f32(r->y), NULL);
        tfc_feed feeds[4]; /* (after the batch: labels fed as class indices are made from it) */
        int nfeeds = tfc_model_feeds(m, r->x, r->y, r->keep_train, r->train_mode, feeds);
        /* each rank its own dropout masks, the same ones again when resumed at this step */
        tfc_session_set_random_key(r->session, (uint64_t)step * (uint64_t)r->nranks + (uint64_t)r->rank);
        tfc_tensor *out[2] = {0};
        /* (an imported graph may have no loss named: then the progress shows none) */
        bool has_loss = tfc_out_ok(m->loss);
        ok = tfc_session_run(r->session, feeds, nfeeds, (tfc_out[]){m->train, m->loss}, has_loss ? 2 : 1, out, st);
        if (!ok) break;
        loss = has_loss ? tfc_f32(out[1])[0] : NAN;
        tfc_tensor_free(out[0]);
        tfc_tensor_free(out[1]);
        if (r->events && o->summary_every && tfc_out_ok(m->summaries) && (step + 1) % o->summary_every == 0) {
            ok = write_summaries(r, step + 1, st);
            if (!ok) break;
        }
        examples += (int64_t)batch * r->nranks;
        if (has_loss && !isfinite(loss)) {
            ok = tfc_fail(st, TFC_FAILED_PRECONDITION, "the loss became %g at step %lld: lower --lr", loss, (long long)step + 1);
            break;
        }
        epoch_cost += loss / steps_per_epoch;
        if (by_epoch && (step + 1) % steps_per_epoch == 0) {
            tfc_progress_note(&p, "epoch %lld: cost = %.4f", (long long)((step + 1) / steps_per_epoch), epoch_cost);
            epoch_cost = 0;
        }
        /* (with --quiet the report would not be printed, so it is not computed either) */
        if (report_every && !o->quiet && (step + 1) % report_every == 0) {
            double acc;
            ok = batch_accuracy(r, &acc, st);
            if (ok) tfc_progress_note(&p, "step %lld: training accuracy %.4f", (long long)step + 1, acc);
        }
        tfc_progress_update(&p, step + 1, loss, examples);
        if (ok && o->save_every && (step + 1) % o->save_every == 0 && step + 1 < total) ok = save(r, step + 1, &p, st);
    }
    r->trained = stop_signal ? 0 : total - timed;
    if (ok && total > start && !stop_signal) ok = save(r, total, &p, st);
    double secs = tfc_now() - t0;
    tfc_progress_end(&p);
    tfc_batcher_free(&b);
    if (ok && start >= total && !stop_signal) tfc_progress_note(&p, "the checkpoint is at step %lld already: nothing to train", (long long)start);
    int64_t timed_examples = r->trained * batch * r->nranks;
    if (ok && r->rank == 0 && !stop_signal)
        printf("train: %lld steps, %lld examples in %.2f s, %.0f examples/s\n", (long long)r->trained,
               (long long)timed_examples, secs, secs > 0 ? timed_examples / secs : 0.0);
    return ok;
}

/* After a failure on one rank the others may be waiting for it in a collective: end the job. */
static int fail(run_state *r, tfc_status *st)
{
    fprintf(stderr, "tfc-run: %s\n", tfc_message(st));
    free_state(r, NULL);
    tfc_status_free(st);
    if (r->nranks > 1) {
        fflush(NULL);
        tfc_mpi_abort(r->comm, 1);
    }
    return 1;
}

/* After a stop signal: where the newest checkpoint is, the summaries written out, and the end by
 * the signal's own default action (so a shell sees an interrupted command). */
static int stopped(run_state *r, const options *o, tfc_status *st)
{
    int sig = stop_signal;
    const char *name = sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP";
    long long step = r->session ? (long long)current_step(r) : 0;
    if (r->newest[0])
        fprintf(stderr, "tfc-run: stopped by %s after step %lld; the newest checkpoint is %s (continue with "
                        "tfc-run %s --model %s --restore=%s)\n",
                name, step, r->newest, o->dataset, o->model, r->run_dir);
    else
        fprintf(stderr, "tfc-run: stopped by %s after step %lld; no checkpoint was saved (--save-every N saves "
                        "during training)\n",
                name, step);
    free_state(r, st);
    if (!tfc_ok(st)) fprintf(stderr, "tfc-run: %s\n", tfc_message(st));
    tfc_status_free(st);
    fflush(NULL);
    signal(sig, SIG_DFL);
    raise(sig);
    return 128 + sig;
}

int main(int argc, char **argv)
{
    tfc_stdio_guard(false); /* results checked on their way out; stderr keeps the progress bar */
    tfc_status *st = tfc_status_new();
    run_state r = {0};
    r.comm = tfc_mpi_init(&argc, &argv, st);
    if (!tfc_ok(st)) {
        fprintf(stderr, "tfc-run: %s\n", tfc_message(st));
        tfc_status_free(st);
        return 1;
    }
    r.rank = r.comm ? r.comm->rank : 0;
    r.nranks = r.comm ? r.comm->size : 1;
    silent_rank = r.rank > 0;
    options o;
    int rc = parse_args(argc, argv, &o);
    if (rc) {
        tfc_mpi_finalize(r.comm);
        tfc_status_free(st);
        return rc < 0 ? tfc_stdout_exit("tfc-run", 0) : rc;
    }
    char dir[1024];
    tfc_dataset ds = strcmp(o.dataset, "mnist") == 0 ? TFC_DATASET_MNIST : TFC_DATASET_FASHION;
    tfc_model_options mo = {.learning_rate = o.lr,
                             .optimizer = o.optimizer,
                             .histograms = o.histograms,
                             .images = o.images,
                             .summaries = o.logdir && o.summary_every > 0,
                             .learning_rate_scale = o.scale_lr ? (float)r.nranks : 1.0f,
                             .allreduce_bucket_floats = r.nranks > 1 ? TFC_RUN_BUCKET_FLOATS : 0};
    if (r.rank > 0) { /* the same graph on every rank, but rank 0 alone restores, writes and reports */
        o.quiet = true;
        o.logdir = NULL;
        o.profile = false;
    }
    char ckpt[PATH_MAX] = "";
    bool ok = tfc_mnist_find(ds, o.data_dir, dir, sizeof dir, st) && (r.data = tfc_mnist_load(dir, st)) &&
              (o.graph.graph ? tfc_model_import(&r.model, &o.graph, st) : tfc_model_build(&r.model, o.model, &mo, st));
    if (ok && o.graph.graph && r.nranks > 1)
        ok = tfc_fail(st, TFC_INVALID_ARGUMENT, "--graph trains in one process: the graph's optimizer has no allreduce");
    if (ok && o.graph.graph && !o.eval_only && !tfc_out_ok(r.model.train)) {
        /* the train_op collection empty, or holding several ops (two optimizers, a moving average) */
        int n = tfc_graph_collection_size(r.model.g, "train_op");
        const char *a = n ? tfc_graph_collection_item(r.model.g, "train_op", 0) : NULL;
        const char *b = n > 1 ? tfc_graph_collection_item(r.model.g, "train_op", n - 1) : NULL;
        if (b)
            ok = tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: the train_op collection holds %d ops ('%s'%s'%s'): name the one to "
                                                    "run with --train-op", o.graph.graph, n, a, n == 2 ? ", " : " ... ", b);
        else
            ok = tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: no training op: name it with --train-op (or only evaluate, --eval)",
                          o.graph.graph);
    }
    if (ok && o.graph.graph) ok = tfc_model_check_feeds(&r.model, !o.eval_only, st);
    if (ok) {
        tfc_session_options so = {.threads = o.threads, .seed = o.seed, .profile = o.profile, .comm = r.comm,
                                  .plain_convolution = o.graph.graph != NULL,
                                  .allow_soft_placement = o.graph.graph != NULL};
        r.session = tfc_session_new(r.model.g, &so, st);
        ok = r.session && tfc_session_run_init(r.session, st);
        if (ok && (o.restore || (o.eval_only && !o.graph.graph)) && r.rank == 0) {
            ok = resolve_restore(&r, &o, ckpt, sizeof ckpt, st) &&
                 tfc_checkpoint_resolve(ckpt, r.newest, sizeof r.newest, st) &&
                 tfc_saver_restore(r.session, r.newest, st);
            if (o.run) r.run_dir[0] = '\0'; /* a run of its own, LOGDIR/NAME (not a SavedModel's variables/) */
            if (ok && !o.quiet) {
                fprintf(stderr, "tfc-run: restored %s at step %lld\n", r.newest, (long long)current_step(&r));
                ok = tfc_ckpt_restore_note_left(r.model.g, r.newest, "tfc-run: ", stderr, st);
            }
        }
        if (ok && !o.eval_only && r.rank == 0) ok = open_events(&r, &o, st);
        /* As TensorFlow's Supervisor does: a restart marker, so that what the stopped run wrote past
         * the checkpoint is dropped (from the first step trained again: the checkpoint's own step
         * keeps its summaries). */
        if (ok && r.events && ckpt[0])
            ok = tfc_event_writer_add_restart(r.events, current_step(&r) + 1, r.newest, st);
        if (ok && r.nranks == 1) stop_on_signals();
    }
    /* Every rank learns whether all are ready, and they check they built the same graph, before the
     * first collective: a rank that failed or differs ends the job, instead of leaving the others
     * waiting. Then rank 0's variables (initial or restored) go to all. */
    if (r.nranks > 1) {
        ok = tfc_comm_agree(r.comm, ok, st) && tfc_comm_check_graph(r.comm, r.model.g, st) &&
             tfc_comm_broadcast_variables(r.comm, r.session, 0, st);
        if (!ok) {
            if (r.rank == 0) fprintf(stderr, "tfc-run: %s\n", tfc_message(st));
            free_state(&r, NULL);
            tfc_mpi_finalize(r.comm);
            tfc_status_free(st);
            return 1;
        }
    }
    if (ok) {
        int batch = o.batch ? o.batch : r.model.batch_size;
        int64_t total = o.steps;
        if (!total) {
            int epochs = o.epochs ? o.epochs : r.model.epochs;
            total = epochs ? (int64_t)epochs * (r.data->train.n / ((int64_t)batch * r.nranks)) : r.model.steps;
        }
        total += o.warmup;
        r.x = tfc_tensor_new(TFC_FLOAT, tfc_model_input_shape(&r.model, batch));
        r.y = tfc_tensor_new(TFC_FLOAT, TFC_SHAPE(batch, 10));
        r.keep_train = tfc_tensor_scalar_f32(o.keep_prob > 0 ? o.keep_prob : r.model.train_keep_prob);
        r.keep_eval = tfc_tensor_scalar_f32(tfc_model_dropout_off(&r.model));
        r.train_mode = tfc_tensor_from(TFC_BOOL, TFC_SCALAR, &(uint8_t){1});
        r.eval_mode = tfc_tensor_new(TFC_BOOL, TFC_SCALAR);
        if (!o.quiet && o.eval_only)
            fprintf(stderr, "tfc-run: evaluating model %s on the %s test set\n", r.model.name, o.dataset);
        else if (!o.quiet && r.nranks > 1)
            fprintf(stderr, "tfc-run: model %s on %s (%s), %lld steps of %d x %d ranks, %s %g, seed %llu\n", r.model.name,
                    o.dataset, dir, (long long)total, batch, r.nranks, r.model.optimizer, r.model.learning_rate,
                    (unsigned long long)o.seed);
        else if (!o.quiet && o.graph.graph)
            fprintf(stderr, "tfc-run: graph %s on %s (%s), %lld steps of %d, seed %llu\n", o.graph.graph, o.dataset, dir,
                    (long long)total, batch, (unsigned long long)o.seed);
        else if (!o.quiet)
            fprintf(stderr, "tfc-run: model %s on %s (%s), %lld steps of %d, %s %g, seed %llu\n", r.model.name, o.dataset, dir,
                    (long long)total, batch, r.model.optimizer, r.model.learning_rate, (unsigned long long)o.seed);
        ok = r.x && r.y && r.keep_train && r.keep_eval && r.train_mode && r.eval_mode && (o.eval_only || train(&r, &o, total, st));
        if (ok && stop_signal) return stopped(&r, &o, st);
        if (ok && o.profile && !o.eval_only) print_profile(&r, r.trained);
    }
    if (ok && r.rank == 0) {
        double acc = 0, loss = 0;
        /* Batches of 1,000, or 100 for the CNN (and any imported graph), whose activations are ~0.5 MB
         * per image. */
        int eval_batch = strcmp(r.model.name, "cnn") == 0 || o.graph.graph ? 100 : 1000;
        ok = tfc_model_evaluate(&r.model, r.session, &r.data->test, eval_batch, &acc, &loss, st);
        if (ok && isnan(loss)) printf("test accuracy: %.4f (%d examples)\n", acc, r.data->test.n);
        else if (ok) printf("test accuracy: %.4f (loss %.4f, %d examples)\n", acc, loss, r.data->test.n);
    }
    if (!ok) return fail(&r, st);
    free_state(&r, st);
    if (!tfc_ok(st)) return fail(&r, st);
    tfc_mpi_finalize(r.comm);
    tfc_status_free(st);
    return tfc_stdout_exit("tfc-run", 0);
}
