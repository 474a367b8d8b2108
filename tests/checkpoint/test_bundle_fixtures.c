/* Reading the real checkpoints in ../shared/fixtures/real (TensorFlow 0.7 to 2.13, V1 and V2,
 * Saver and object-based): names, dtypes and shapes as PROVENANCE.md lists them, and every tensor
 * reads with its checksum verified; TF1 Saver bundles rewritten by tfc are byte-identical.
 * Exits 77 (skipped) when the fixtures are absent. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bundle.h"
#include "check.h"
#include "ckpt_inspect.h"

static char root[1024];

typedef struct {
    const char *name;
    tfc_dtype dtype;
    tfc_shape shape;
    double first; /* the first value, as TensorFlow's load_checkpoint gives it */
} expect;

/* Opens PREFIX (relative to the fixtures), checks count, the listed tensors and reads them all. */
static void check_ckpt(const char *rel, int version, int count, const expect *ex, int nex)
{
    char prefix[1400];
    snprintf(prefix, sizeof prefix, "%s/%s", root, rel);
    tfc_status *st = tfc_status_new();
    tfc_bundle *b = tfc_bundle_open(prefix, st);
    CHECK_MSG(b, "%s", tfc_message(st));
    if (!b) {
        tfc_status_free(st);
        return;
    }
    CHECK_MSG(tfc_bundle_version(b) == version && tfc_bundle_count(b) == count, "%s: v%d, %d tensors", rel,
              tfc_bundle_version(b), tfc_bundle_count(b));
    for (int i = 0; i < nex; i++) {
        const tfc_bundle_entry *e = tfc_bundle_find(b, ex[i].name);
        CHECK_MSG(e && e->dtype == (int)ex[i].dtype && tfc_shape_equal(e->shape, ex[i].shape), "%s: %s", rel,
                  ex[i].name);
        tfc_tensor *t = e ? tfc_bundle_read(b, ex[i].name, st) : NULL;
        if (t && t->dtype != TFC_STRING) CHECK_NEAR(tfc_tensor_get(t, 0), ex[i].first, 0);
        tfc_tensor_free(t);
    }
    for (int i = 0; i < tfc_bundle_count(b); i++) {
        tfc_tensor *t = tfc_bundle_read(b, tfc_bundle_at(b, i)->name, st);
        CHECK_MSG(t && t->size == tfc_shape_numel(tfc_bundle_at(b, i)->shape), "%s: %s", rel, tfc_message(st));
        tfc_tensor_free(t);
    }
    tfc_bundle_close(b);
    tfc_status_free(st);
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    uint8_t *p = malloc(*len + 1);
    if (fread(p, 1, *len, f) != *len) *len = 0;
    fclose(f);
    return p;
}

/* TF1's Saver writes tensors in name order, as tfc's writer does: same bytes, index and data. */
static void check_rewrite(const char *rel)
{
    char src[1400], dst[64] = "/tmp/tfc-test-rewrite-XXXXXX", prefix[128], a[1500], b[200];
    if (!mkdtemp(dst)) return;
    snprintf(src, sizeof src, "%s/%s", root, rel);
    snprintf(prefix, sizeof prefix, "%s/x", dst);
    tfc_status *st = tfc_status_new();
    CHECK_MSG(tfc_ckpt_convert(src, prefix, st), "%s", tfc_message(st));
    static const char *const suffix[] = {".index", ".data-00000-of-00001"};
    for (int i = 0; i < 2; i++) {
        snprintf(a, sizeof a, "%s%s", src, suffix[i]);
        snprintf(b, sizeof b, "%s%s", prefix, suffix[i]);
        size_t na = 0, nb = 0;
        uint8_t *pa = slurp(a, &na), *pb = slurp(b, &nb);
        CHECK_MSG(pa && pb && na == nb && memcmp(pa, pb, na) == 0, "%s%s differs", rel, suffix[i]);
        free(pa);
        free(pb);
        remove(b);
    }
    remove(dst);
    tfc_status_free(st);
}

int main(void)
{
    snprintf(root, sizeof root, "%s/../shared/fixtures/real", TFC_SOURCE_ROOT);
    struct stat sb;
    if (stat(root, &sb) != 0) {
        fprintf(stderr, "skipped: %s is absent\n", root);
        return 77;
    }
    const expect murray[] = {{"Variable", TFC_FLOAT, TFC_SHAPE(784, 10), 0},
                             {"Variable_1", TFC_FLOAT, TFC_SHAPE(10), -0.3766692578792572}};
    check_ckpt("ckpt_v2/murrayc7_mnist/model.ckpt", 2, 2, murray, 2);
    const expect alex[] = {{"Variable/Adam_1", TFC_FLOAT, TFC_SHAPE(2, 3), 7.061158612486906e-06},
                           {"beta2_power", TFC_FLOAT, TFC_SCALAR, 0.006708118133246899}};
    check_ckpt("ckpt_v2/alexfeng_nn2classify/model.ckpt", 2, 8, alex, 2);
    const expect lq6h[] = {{"v1_1", TFC_FLOAT, TFC_SHAPE(3), 11}, {"v2_5", TFC_FLOAT, TFC_SHAPE(2), 4}};
    check_ckpt("ckpt_v2/lq6h_tensorflow/model.ckpt", 2, 18, lq6h, 2);
    const expect golbin[] = {{"global_step", TFC_INT32, TFC_SCALAR, 100},
                             {"layer2/W2/Adam", TFC_FLOAT, TFC_SHAPE(10, 20), 0},
                             {"optimizer/beta2_power", TFC_FLOAT, TFC_SCALAR, 0.903888463973999}};
    check_ckpt("ckpt_v2/golbin_05_dnn/dnn.ckpt-100", 2, 12, golbin, 3);
    const expect golf[] = {{"_CHECKPOINTABLE_OBJECT_GRAPH", TFC_STRING, TFC_SCALAR, 0},
                           {"net/layer_with_weights-1/kernel/.ATTRIBUTES/VARIABLE_VALUE", TFC_FLOAT, TFC_SHAPE(64, 32),
                            -0.10594186186790466},
                           {"net/optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE", TFC_INT64, TFC_SCALAR, 84},
                           {"step/.ATTRIBUTES/VARIABLE_VALUE", TFC_INT32, TFC_SCALAR, 0}};
    check_ckpt("ckpt_v2/aucookson97_golf_tf2/ckpt-1", 2, 26, golf, 1);
    check_ckpt("ckpt_v2/aucookson97_golf_tf2/ckpt-2", 2, 26, golf, 4);
    check_ckpt("ckpt_v2/aucookson97_golf_tf2/savedmodel_variables/variables", 2, 24, golf, 1);
    const expect demo[] = {{"x/.ATTRIBUTES/VARIABLE_VALUE", TFC_FLOAT, TFC_SCALAR, 6}};
    check_ckpt("ckpt_v2/eat_tf2_savedmodel_demo/variables/variables", 2, 2, demo, 1);
    const expect keras[] = {{"layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE", TFC_FLOAT,
                             TFC_SHAPE(784, 200), 0.04720142483711243},
                            {"optimizer/_iterations/.ATTRIBUTES/VARIABLE_VALUE", TFC_INT64, TFC_SCALAR, 15000}};
    check_ckpt("ckpt_v2/codeheadmt_tf213_keras_embedding_exp0/keras_embedding.ckpt-9", 2, 15, keras, 2);
    const expect nxt[] = {{"mweight", TFC_FLOAT, TFC_SHAPE(4, 10), -0.5516393184661865},
                          {"mbias2/Adam_1", TFC_FLOAT, TFC_SHAPE(2), 0.2532605230808258},
                          {"beta1_power", TFC_FLOAT, TFC_SCALAR, 0}};
    check_ckpt("ckpt_v1/gknoblau_nxt/video_weights.ckpt", 1, 14, nxt, 3);
    const expect vocal[] = {{"Variable", TFC_FLOAT, TFC_SHAPE(1024, 256), 0.029482707381248474},
                            {"Variable_5", TFC_FLOAT, TFC_SHAPE(1024), -0.006287852302193642}};
    check_ckpt("ckpt_v1/255bits_vocal_autoencoder/model.ckpt", 1, 6, vocal, 2);
    check_rewrite("ckpt_v2/murrayc7_mnist/model.ckpt");
    check_rewrite("ckpt_v2/alexfeng_nn2classify/model.ckpt");
    check_rewrite("ckpt_v2/lq6h_tensorflow/model.ckpt");
    check_rewrite("ckpt_v2/golbin_05_dnn/dnn.ckpt-100");
    return check_result();
}
