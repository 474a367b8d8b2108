/* The one table of ops: adding an op is its file under ops/ plus one line here. */
#include <string.h>

#include "op.h"

#define OPS(X)                                                                                         \
    X(Const) X(Placeholder) X(Identity) X(NoOp) X(Fill) X(Shape) X(Size) X(Reshape) X(ExpandDims)      \
    X(BroadcastTo) X(Cast)                                                                             \
    X(AddV2) X(Sub) X(Mul) X(RealDiv) X(Maximum) X(Minimum) X(Equal) X(GreaterEqual) X(LessEqual)      \
    X(AddN)                                                                                            \
    X(Neg) X(Relu) X(Sigmoid) X(Tanh) X(Log) X(Exp) X(Square) X(Sqrt) X(Reciprocal) X(Floor)           \
    X(ReluGrad) X(SigmoidGrad) X(TanhGrad) X(SqrtGrad)                                                 \
    X(MatMul)                                                                                          \
    X(Sum) X(Mean) X(ArgMax)                                                                           \
    X(BiasAdd) X(BiasAddGrad) X(Softmax) X(SoftmaxCrossEntropyWithLogits)                              \
    X(RandomStandardNormal) X(TruncatedNormal) X(RandomUniform)                                        \
    X(VariableV2) X(Assign) X(AssignAdd) X(AssignSub)                                                  \
    X(VarHandleOp) X(ReadVariableOp) X(VarIsInitializedOp) X(IsVariableInitialized)                    \
    X(AssignVariableOp) X(AssignAddVariableOp) X(AssignSubVariableOp)                                  \
    X(ApplyGradientDescent) X(ApplyMomentum) X(ApplyAdagrad) X(ApplyRMSProp) X(ApplyCenteredRMSProp)   \
    X(ApplyAdam) X(ResourceApplyGradientDescent) X(ResourceApplyMomentum) X(ResourceApplyAdagrad)      \
    X(ResourceApplyRMSProp) X(ResourceApplyCenteredRMSProp) X(ResourceApplyAdam)                       \
    X(Conv2D) X(Conv2DBackpropInput) X(Conv2DBackpropFilter) X(MaxPool) X(MaxPoolGrad)                \
    X(ScalarSummary) X(HistogramSummary) X(ImageSummary) X(MergeSummary)                             \
    X(GroupedAllreduce)                                                                                \
    X(BroadcastGradientArgs) X(DynamicStitch) X(SaveV2) X(RestoreV2) X(MergeV2Checkpoints)

#define DECLARE(name) extern const tfc_op_def tfc_op_##name;
OPS(DECLARE)
#undef DECLARE

#define ENTRY(name) &tfc_op_##name,
static const tfc_op_def *const table[] = {OPS(ENTRY)};
#undef ENTRY

const tfc_op_def *tfc_op_lookup(const char *type)
{
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        if (strcmp(table[i]->type, type) == 0) return table[i];
    return NULL;
}
