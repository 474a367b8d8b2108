/* tfc-ckpt: looks inside TensorFlow checkpoints (V1 and V2, TF1 Saver and TF2 object-based):
 * lists tensors with statistics, prints values, compares two checkpoints, dumps a tensor to .npy,
 * rewrites a checkpoint as V2, restores one into a seed model and evaluates it.
 * Flags in, library calls (checkpoint/ckpt_inspect.h), one line out on error. */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bundle.h"
#include "checkpoint_state.h"
#include "ckpt_inspect.h"
#include "ckpt_restore.h"
#include "models.h"
#include "out_file.h"
#include "stdio_guard.h"

static const char usage[] =
    "Usage: tfc-ckpt inspect [PATH] [--tensor NAME] [--all] [--full] [--json]\n"
    "  or:  tfc-ckpt diff A B\n"
    "  or:  tfc-ckpt dump PATH --tensor NAME -o FILE.npy\n"
    "  or:  tfc-ckpt convert PATH NEW_PREFIX\n"
    "  or:  tfc-ckpt restore PATH --model M [--optimizer O] [--dataset D] [--data-dir DIR] [--no-eval]\n"
    "  or:  tfc-ckpt restore PATH --graph FILE --input X --labels Y --accuracy A [--loss L]\n"
    "                        [--keep-prob NAME] [--training NAME] [--dataset D] [--data-dir DIR]\n"
    "                        [--no-eval]\n"
    "\n"
    "Reads TensorFlow checkpoints: V2 bundles (PREFIX.index + PREFIX.data-*-of-*) written by tfc,\n"
    "tf.train.Saver or TF2's tf.train.Checkpoint, and V1 single-file checkpoints.\n"
    "PATH is a checkpoint prefix (events/run/model.ckpt-300), one of its files, a folder with a\n"
    "`checkpoint` file (its newest checkpoint), a SavedModel folder or its saved_model.pb (its\n"
    "variables/variables), or a folder searched for the most recently written `checkpoint` file\n"
    "below it. Default: events\n"
    "\n"
    "  inspect               a table of the tensors: name, dtype, shape, bytes, min/max/mean/std\n"
    "    --tensor NAME       print that tensor's values (NumPy's layout, long ones summarised)\n"
    "    --all               print every tensor's values after the table\n"
    "    --full              print values without '...' summaries\n"
    "    --json              JSON for scripts: {path, version, tensors: [{name, dtype, shape, bytes,\n"
    "                        slices, min, max, mean, std[, values]}]}; values with --all or --tensor;\n"
    "                        UTF-8, with bytes that are not UTF-8 as \\udc80-\\udcff (PEP 383)\n"
    "  diff A B              names only in A or B, dtype or shape changes, and for each tensor whose\n"
    "                        values differ how many differ and the largest absolute difference\n"
    "                        (values tfc does not decode, as a tf.data iterator's variant state:\n"
    "                        whether their stored bytes differ); exit status 0 when identical,\n"
    "                        1 when different, 2 on trouble\n"
    "  dump                  write one tensor (--tensor NAME) as a NumPy .npy file (-o FILE;\n"
    "                        '-': stdout)\n"
    "  convert PATH NEW      rewrite a checkpoint (V1 or V2, partitioned variables joined) as a V2\n"
    "                        bundle NEW.index + NEW.data-00000-of-00001, tensors in name order;\n"
    "                        values tfc does not decode (variant) are copied as they are stored\n"
    "  restore PATH          load a checkpoint into a model's graph: every variable of the graph\n"
    "                        must be there with its dtype and shape (missing and mismatched ones\n"
    "                        are named, with the unexpected ones); tensors the graph has no\n"
    "                        variable for are left, as TensorFlow's Saver leaves them (they are\n"
    "                        named); then evaluate it on the test set\n"
    "    --model M           softmax, mlp, deep or cnn (the networks of tfc-run)\n"
    "    --optimizer O       as the checkpoint was trained (default: the model's): gd, momentum,\n"
    "                        nesterov, adagrad, rmsprop, centered-rmsprop or adam, as tfc-run's;\n"
    "                        it decides which optimizer slots the graph has\n"
    "    --dataset D         mnist (default) or fashion-mnist\n"
    "    --data-dir DIR      folder with the IDX files; otherwise $TFC_DATA_DIR, ./MNIST_data and\n"
    "                        the user cache folder are searched, as tfc-run does\n"
    "    --graph FILE        a TensorFlow graph (.meta or binary .pb) instead of --model, with its\n"
    "                        tensors named as for tfc-run --graph: --input (the images), --labels\n"
    "                        (one-hot), --accuracy, --loss (optional), --keep-prob (dropout's\n"
    "                        placeholder, fed 1), --training (the bool placeholder switching its\n"
    "                        batch norm or dropout, is_training, fed false); checkpoint keys follow\n"
    "                        the graph's Saver nodes; nodes placed on a GPU run on this CPU, with\n"
    "                        one note\n"
    "    --no-eval           only check that the checkpoint fits the graph\n"
    "    --threads N         threads for the evaluation (default: all cores)\n"
    "  -h, --help            this help\n";

/* Whether the file at out is one of the checkpoint's at path (PREFIX itself, PREFIX.index, .data-*,
 * .meta, or the `checkpoint` state file beside them): dump would put its .npy there. */
static bool checkpoint_file(const char *path, const char *out)
{
    char prefix[4096], dir[4096], file[8192];
    struct stat so, sf;
    if (stat(out, &so) != 0 || !tfc_checkpoint_resolve(path, prefix, sizeof prefix, NULL)) return false;
    const char *slash = strrchr(prefix, '/'), *base = slash ? slash + 1 : prefix;
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - prefix + (slash == prefix)) : 1, slash ? prefix : ".");
    DIR *d = opendir(dir);
    bool same = false;
    size_t n = strlen(base);
    for (struct dirent *e; d && !same && (e = readdir(d));) {
        bool ours = strncmp(e->d_name, base, n) == 0 && (e->d_name[n] == '\0' || e->d_name[n] == '.');
        if (!ours && strcmp(e->d_name, "checkpoint") != 0) continue;
        snprintf(file, sizeof file, "%s/%s", dir, e->d_name);
        same = stat(file, &sf) == 0 && sf.st_dev == so.st_dev && sf.st_ino == so.st_ino;
    }
    if (d) closedir(d);
    return same;
}

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "tfc-ckpt: %s%s (see tfc-ckpt --help)\n", msg, arg);
    return 2;
}

int main(int argc, char **argv)
{
    tfc_stdio_guard(true); /* results checked on their way out; names from files may hold control characters */
    if (argc < 2) return usage_error("missing command: inspect, diff, dump, convert or restore", "");
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        fputs(usage, stdout);
        return tfc_stdout_exit("tfc-ckpt", 0);
    }
    const char *cmd = argv[1];
    bool is_diff = strcmp(cmd, "diff") == 0, is_convert = strcmp(cmd, "convert") == 0;
    bool is_restore = strcmp(cmd, "restore") == 0;
    if (strcmp(cmd, "inspect") != 0 && !is_diff && !is_convert && !is_restore && strcmp(cmd, "dump") != 0)
        return usage_error("unknown command ", cmd);

    enum { OPT_ALL = 256, OPT_FULL, OPT_JSON, OPT_MODEL, OPT_OPTIMIZER, OPT_DATASET, OPT_DATA_DIR, OPT_NO_EVAL,
           OPT_THREADS, OPT_GRAPH, OPT_INPUT, OPT_LABELS, OPT_ACCURACY, OPT_LOSS, OPT_KEEP, OPT_TRAINING };
    static const struct option longopts[] = {
        {"tensor", required_argument, NULL, 't'},         {"all", no_argument, NULL, OPT_ALL},
        {"full", no_argument, NULL, OPT_FULL},            {"json", no_argument, NULL, OPT_JSON},
        {"output", required_argument, NULL, 'o'},         {"help", no_argument, NULL, 'h'},
        {"model", required_argument, NULL, OPT_MODEL},    {"optimizer", required_argument, NULL, OPT_OPTIMIZER},
        {"dataset", required_argument, NULL, OPT_DATASET}, {"data-dir", required_argument, NULL, OPT_DATA_DIR},
        {"no-eval", no_argument, NULL, OPT_NO_EVAL},      {"threads", required_argument, NULL, OPT_THREADS},
        {"graph", required_argument, NULL, OPT_GRAPH},    {"input", required_argument, NULL, OPT_INPUT},
        {"labels", required_argument, NULL, OPT_LABELS},  {"accuracy", required_argument, NULL, OPT_ACCURACY},
        {"loss", required_argument, NULL, OPT_LOSS},      {"keep-prob", required_argument, NULL, OPT_KEEP},
        {"training", required_argument, NULL, OPT_TRAINING},
        {NULL, 0, NULL, 0},
    };
    tfc_ckpt_inspect_options o = {0};
    tfc_ckpt_restore_options ro = {.dataset = TFC_DATASET_MNIST, .evaluate = true};
    bool restore_flags = false;
    const char *output = NULL;
    char *end;
    optind = 2;
    opterr = 0; /* our own one-line messages */
    int c;
    while ((c = getopt_long(argc, argv, ":t:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 't': o.tensor = optarg; break;
        case 'o': output = optarg; break;
        case OPT_ALL: o.all = true; break;
        case OPT_FULL: o.full = true; break;
        case OPT_JSON: o.json = true; break;
        case OPT_MODEL: ro.model = optarg; break;
        case OPT_OPTIMIZER: {
            bool known = false;
            for (int i = 0; tfc_model_optimizers[i]; i++) known |= strcmp(tfc_model_optimizers[i], optarg) == 0;
            if (!known)
                return usage_error("--optimizer is gd, momentum, nesterov, adagrad, rmsprop, centered-rmsprop or adam, not ",
                                   optarg);
            ro.optimizer = optarg;
            break;
        }
        case OPT_DATASET:
            if (strcmp(optarg, "mnist") != 0 && strcmp(optarg, "fashion-mnist") != 0)
                return usage_error("--dataset is mnist or fashion-mnist, not ", optarg);
            ro.dataset = strcmp(optarg, "mnist") == 0 ? TFC_DATASET_MNIST : TFC_DATASET_FASHION;
            break;
        case OPT_DATA_DIR: ro.data_dir = optarg; break;
        case OPT_NO_EVAL: ro.evaluate = false; break;
        case OPT_GRAPH: ro.graph.graph = optarg; break;
        case OPT_INPUT: ro.graph.input = optarg; break;
        case OPT_LABELS: ro.graph.labels = optarg; break;
        case OPT_ACCURACY: ro.graph.accuracy = optarg; break;
        case OPT_LOSS: ro.graph.loss = optarg; break;
        case OPT_KEEP: ro.graph.keep_prob = optarg; break;
        case OPT_TRAINING: ro.graph.training = optarg; break;
        case OPT_THREADS:
            ro.threads = (int)strtol(optarg, &end, 10);
            if (*end || end == optarg || ro.threads < 0 || ro.threads > 256)
                return usage_error("--threads takes a number from 0 to 256, not ", optarg);
            break;
        case 'h': fputs(usage, stdout); return tfc_stdout_exit("tfc-ckpt", 0);
        case ':': return usage_error("a value is missing after ", argv[optind - 1]);
        default: return usage_error("unknown option ", argv[optind - 1]);
        }
        if (c >= OPT_MODEL) restore_flags = true;
    }
    if (restore_flags && !is_restore) return usage_error("--model, --graph and their options are for restore, not ", cmd);
    int npos = argc - optind;
    char **pos = argv + optind;
    bool inspect_opts = o.tensor || o.all || o.full || o.json || output;
    if (is_diff || is_convert) {
        if (npos != 2)
            return usage_error(is_diff ? "diff needs two checkpoints" : "convert needs a checkpoint and a new prefix",
                               "");
        if (inspect_opts) return usage_error("no options for ", cmd);
        if (is_convert && !tfc_bundle_prefix_ok(pos[1], NULL))
            return usage_error("convert's NEW_PREFIX needs a file name at its end (dir/model, not dir/): ", pos[1]);
    } else if (is_restore) {
        if (npos != 1) return usage_error("restore needs one checkpoint", "");
        const tfc_graph_model_spec *gs = &ro.graph;
        if (ro.model && gs->graph) return usage_error("restore takes --model or --graph, not both", "");
        if (!ro.model && !gs->graph) return usage_error("restore needs --model (softmax, mlp, deep or cnn) or --graph", "");
        if (!gs->graph && (gs->input || gs->labels || gs->accuracy || gs->loss || gs->keep_prob || gs->training))
            return usage_error("--input, --labels, --accuracy, --loss, --keep-prob and --training go with --graph", "");
        if (gs->graph && (!gs->input || !gs->labels || !gs->accuracy))
            return usage_error("--graph needs --input, --labels and --accuracy (the tensors' names, e.g. x:0)", "");
        if (gs->graph && ro.optimizer) return usage_error("--optimizer does not go with --graph: the graph holds its slots", "");
        bool known = gs->graph != NULL;
        for (int i = 0; ro.model && tfc_model_names[i]; i++) known |= strcmp(tfc_model_names[i], ro.model) == 0;
        if (!known) return usage_error("unknown model (known: softmax, mlp, deep, cnn): ", ro.model);
        if (inspect_opts) return usage_error("restore takes no inspect options", "");
    } else if (strcmp(cmd, "dump") == 0) {
        if (npos != 1) return usage_error("dump needs one checkpoint", "");
        if (!o.tensor || !output) return usage_error("dump needs --tensor NAME and -o FILE.npy", "");
        if (checkpoint_file(pos[0], output))
            return usage_error("-o would put the .npy in place of a file of the checkpoint: ", output);
    } else {
        if (npos > 1) return usage_error("inspect takes one checkpoint, not ", pos[1]);
        if (output) return usage_error("inspect writes to stdout; -o is for dump", "");
    }

    tfc_status *st = tfc_status_new();
    int rc;
    if (is_diff) {
        int r = tfc_ckpt_diff(pos[0], pos[1], stdout, st);
        rc = r < 0 ? 2 : r;
    } else if (is_convert) {
        rc = tfc_ckpt_convert(pos[0], pos[1], st) ? 0 : 1;
    } else if (is_restore) {
        rc = tfc_ckpt_restore(pos[0], &ro, stdout, st) ? 0 : 1;
    } else if (strcmp(cmd, "dump") == 0) {
        rc = tfc_ckpt_dump(pos[0], o.tensor, output, st) ? 0 : 1;
    } else {
        rc = tfc_ckpt_inspect(npos ? pos[0] : "events", &o, stdout, st) ? 0 : 1;
    }
    /* Results lost on the way to stdout are a failure, not a success. */
    if (tfc_ok(st) && !tfc_stdout_check(st)) rc = is_diff ? 2 : 1;
    if (rc != 0 && !tfc_ok(st)) fprintf(stderr, "tfc-ckpt: %s\n", tfc_message(st));
    tfc_status_free(st);
    return rc;
}
