/* Marks the auxiliary ops of a GraphDef (see graph_aux.h). The seeds: an op is an initialiser,
 * part of a Saver or a summary by its type or place; then everything that feeds only marked ops
 * is marked too (a variable's initial value, the Saver's reads of resource variables, a
 * summary's tag constant), without ever hiding a variable or a placeholder, and without hiding
 * computations that feed only a summary (the accuracy a summary reports is part of the model). */
#include "graph_aux.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *tfc_gdraw_aux_name(tfc_gdraw_aux aux)
{
    switch (aux) {
    case TFC_GDRAW_AUX_INIT: return "initialisers";
    case TFC_GDRAW_AUX_SAVE: return "save/restore";
    case TFC_GDRAW_AUX_SUMMARY: return "summaries";
    case TFC_GDRAW_MAIN: break;
    }
    return "main";
}

static bool is_summary_op(const char *op)
{
    static const char *const writers[] = {"SummaryWriter", "CreateSummaryFileWriter",
                                          "CreateSummaryDbWriter", "FlushSummaryWriter",
                                          "CloseSummaryWriter", "WriteSummary"};
    size_t n = strlen(op);
    if (n > 7 && !strcmp(op + n - 7, "Summary")) return true; /* ScalarSummary, MergeSummary, */
    if (n > 9 && !strcmp(op + n - 9, "SummaryV2")) return true; /* TensorSummaryV2, ... */
    for (size_t i = 0; i < sizeof writers / sizeof *writers; i++)
        if (!strcmp(op, writers[i])) return true;
    return false;
}

static bool is_saver_op(const char *op)
{
    static const char *const ops[] = {"SaveV2", "Save", "SaveSlices", "RestoreV2", "Restore",
                                      "RestoreSlice", "MergeV2Checkpoints", "ShardedFilename"};
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        if (!strcmp(op, ops[i])) return true;
    return false;
}

/* An Assign that gives variable V its initial value is named "V/Assign". */
static bool is_initial_assign(const tfc_gdraw_model *m, const tfc_gdraw_op *op)
{
    if (strcmp(op->op, "Assign") && strcmp(op->op, "AssignVariableOp")) return false;
    if (!op->ninputs || op->inputs[0].src_output < 0) return false;
    const tfc_gdraw_op *var = &m->ops[op->inputs[0].src];
    if (var->kind != TFC_GDRAW_VARIABLE) return false;
    size_t n = strlen(var->name);
    return !strncmp(op->name, var->name, n) && !strcmp(op->name + n, "/Assign");
}

static const char *last_component(const char *name)
{
    const char *slash = strrchr(name, '/');
    return slash ? slash + 1 : name;
}

/* True when a scope on the op's path (its own scope included) is named like `base`. */
static bool under_scope_named(const tfc_gdraw_model *m, int scope, const char *base)
{
    for (int s = scope; s > 0; s = m->scopes[s].parent)
        if (tfc_gdraw_name_is(m->scopes[s].name, base)) return true;
    return false;
}

static tfc_gdraw_aux seed_reason(const tfc_gdraw_model *m, const tfc_gdraw_op *op,
                                 const bool *saver_scope)
{
    if (is_summary_op(op->op)) return TFC_GDRAW_AUX_SUMMARY;
    for (int s = op->scope; s > 0; s = m->scopes[s].parent)
        if (saver_scope[s]) return TFC_GDRAW_AUX_SAVE;
    if (!strcmp(op->op, "NoOp") && tfc_gdraw_name_is(last_component(op->name), "init"))
        return TFC_GDRAW_AUX_INIT;
    if (!strcmp(op->op, "IsVariableInitialized") || !strcmp(op->op, "VarIsInitializedOp"))
        return TFC_GDRAW_AUX_INIT;
    if (is_initial_assign(m, op)) return TFC_GDRAW_AUX_INIT;
    if (under_scope_named(m, op->scope, "Initializer") ||
        under_scope_named(m, op->scope, "report_uninitialized_variables"))
        return TFC_GDRAW_AUX_INIT;
    return TFC_GDRAW_MAIN;
}

/* Scopes named save / save_N holding a saver op: a Saver's subgraph. */
static bool *find_saver_scopes(const tfc_gdraw_model *m)
{
    bool *holds = calloc(m->nscopes, sizeof *holds);
    if (!holds) return NULL;
    for (size_t i = 0; i < m->nops; i++) {
        if (!is_saver_op(m->ops[i].op)) continue;
        for (int s = m->ops[i].scope; s > 0; s = m->scopes[s].parent)
            if (tfc_gdraw_name_is(m->scopes[s].name, "save")) holds[s] = true;
    }
    return holds;
}

/* Op i stops being main: its inputs lose a main consumer. */
static void leave_main(tfc_gdraw_model *m, int i, size_t *main_uses, size_t *summary_uses)
{
    const tfc_gdraw_op *op = &m->ops[i];
    for (size_t k = 0; k < op->ninputs; k++) {
        main_uses[op->inputs[k].src]--;
        if (op->aux == TFC_GDRAW_AUX_SUMMARY) summary_uses[op->inputs[k].src]++;
    }
}

bool tfc_gdraw_mark_aux(tfc_gdraw_model *m)
{
    bool *saver_scope = find_saver_scopes(m);
    /* Per op: consumers that are main, and consumers that are summaries. */
    size_t *main_uses = calloc(m->nops, sizeof *main_uses);
    size_t *summary_uses = calloc(m->nops, sizeof *summary_uses);
    int *work = malloc(m->nops * sizeof *work);
    bool ok = saver_scope && main_uses && summary_uses && work;
    if (ok) {
        size_t nwork = 0;
        for (size_t i = 0; i < m->nops; i++)
            for (size_t k = 0; k < m->ops[i].ninputs; k++) main_uses[m->ops[i].inputs[k].src]++;
        for (size_t i = 0; i < m->nops; i++) {
            m->ops[i].aux = seed_reason(m, &m->ops[i], saver_scope);
            if (m->ops[i].aux == TFC_GDRAW_MAIN) continue;
            leave_main(m, (int)i, main_uses, summary_uses);
            work[nwork++] = (int)i;
        }
        /* An op enters the work list once, when it becomes auxiliary; an input whose consumers
         * are all auxiliary by then serves them alone and follows them. */
        while (nwork) {
            const tfc_gdraw_op *op = &m->ops[work[--nwork]];
            for (size_t k = 0; k < op->ninputs; k++) {
                int src = op->inputs[k].src;
                tfc_gdraw_op *in = &m->ops[src];
                if (in->aux != TFC_GDRAW_MAIN || main_uses[src] != 0) continue;
                if (in->kind == TFC_GDRAW_VARIABLE || in->kind == TFC_GDRAW_PLACEHOLDER) continue;
                if (in->kind != TFC_GDRAW_CONSTANT && summary_uses[src]) continue;
                in->aux = op->aux;
                leave_main(m, src, main_uses, summary_uses);
                work[nwork++] = src;
            }
        }
    }
    free(saver_scope);
    free(main_uses);
    free(summary_uses);
    free(work);
    return ok;
}

/* Up to this many names in a line; the rest are counted. */
#define DESCRIBE_NAMES 4

static void list_name(FILE *f, size_t *listed, const char *name)
{
    if (*listed < DESCRIBE_NAMES) fprintf(f, "%s%s", *listed ? ", " : "", name);
    (*listed)++;
}

char *tfc_gdraw_aux_describe(const tfc_gdraw_model *m, tfc_gdraw_aux aux)
{
    size_t n = 0;
    for (size_t i = 0; i < m->nops; i++) n += m->ops[i].aux == aux;
    if (!n || aux == TFC_GDRAW_MAIN) return NULL;
    char *line = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&line, &len);
    if (!f) return NULL;
    fprintf(f, "%s (%zu op%s): ", tfc_gdraw_aux_name(aux), n, n == 1 ? "" : "s");
    size_t listed = 0, assigns = 0;
    bool *seen = aux == TFC_GDRAW_AUX_SAVE ? calloc(m->nscopes, sizeof *seen) : NULL;
    for (size_t i = 0; i < m->nops; i++) {
        const tfc_gdraw_op *op = &m->ops[i];
        if (op->aux != aux) continue;
        if (aux == TFC_GDRAW_AUX_SUMMARY && is_summary_op(op->op)) {
            list_name(f, &listed, op->name);
        } else if (aux == TFC_GDRAW_AUX_INIT) {
            if (!strcmp(op->op, "NoOp")) list_name(f, &listed, op->name);
            assigns += is_initial_assign(m, op);
        } else if (aux == TFC_GDRAW_AUX_SAVE && seen) {
            /* The outermost save scope on the op's path, once. */
            int top = -1;
            for (int s = op->scope; s > 0; s = m->scopes[s].parent)
                if (tfc_gdraw_name_is(m->scopes[s].name, "save")) top = s;
            if (top > 0 && !seen[top]) {
                seen[top] = true;
                char *scope = NULL;
                if (asprintf(&scope, "%.*s/", (int)m->scopes[top].path_len, m->scopes[top].path) >= 0) {
                    list_name(f, &listed, scope);
                    free(scope);
                }
            }
        }
    }
    free(seen);
    if (listed > DESCRIBE_NAMES) fprintf(f, " and %zu more", listed - DESCRIBE_NAMES);
    if (assigns)
        fprintf(f, "%sinitial values of %zu variable%s", listed ? "; " : "", assigns,
                assigns == 1 ? "" : "s");
    fclose(f);
    return line;
}
