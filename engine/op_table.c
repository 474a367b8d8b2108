/* The one table of ops: adding an op is its file under ops/ plus one line here. */
#include <string.h>

#include "op.h"

#define OPS(X)                                                                                         \
    X(Const) X(Placeholder) X(PlaceholderWithDefault) X(Identity) X(IdentityN) X(NoOp) X(Fill) X(Shape) \
    X(Size)                                                                                            \
    X(Reshape) X(ExpandDims) X(BroadcastTo) X(Cast) X(StopGradient) X(PreventGradient) X(ZerosLike)    \
    X(OnesLike) X(Rank)                                                                                \
    X(Squeeze) X(ShapeN)                                                                               \
    X(ConcatV2) X(ConcatOffset) X(Pack) X(Unpack) X(Split) X(SplitV)                                   \
    X(Slice) X(StridedSlice) X(StridedSliceGrad) X(Pad) X(Tile) X(Transpose) X(InvertPermutation)      \
    X(GatherV2) X(UnsortedSegmentSum) X(OneHot) X(Range) X(Where) X(Select) X(SelectV2)                \
    X(ListDiff) X(Unique)                                                                              \
    X(AddV2) X(Sub) X(Mul) X(RealDiv) X(Maximum) X(Minimum) X(Pow) X(SquaredDifference) X(MulNoNan)    \
    X(DivNoNan) X(FloorDiv) X(FloorMod) X(AddN)                                                        \
    X(Equal) X(NotEqual) X(Greater) X(GreaterEqual) X(Less) X(LessEqual) X(LogicalAnd) X(LogicalOr)    \
    X(LogicalNot)                                                                                      \
    X(Neg) X(Abs) X(Sign) X(Square) X(Relu) X(Relu6) X(Sigmoid) X(Tanh) X(Log) X(Log1p) X(Exp)         \
    X(Sqrt) X(Rsqrt) X(Reciprocal) X(Floor) X(Softplus) X(Elu) X(Selu) X(LeakyRelu) X(Erf)             \
    X(ReluGrad) X(Relu6Grad) X(SoftplusGrad) X(EluGrad) X(SeluGrad) X(LeakyReluGrad) X(SigmoidGrad)   \
    X(TanhGrad)                                                                                        \
    X(SqrtGrad) X(RsqrtGrad) X(ReciprocalGrad)                                                         \
    X(MatMul)                                                                                          \
    X(Sum) X(Mean) X(Prod) X(Max) X(Min) X(All) X(Any) X(ArgMax) X(ArgMin) X(L2Loss) X(Cumsum)     \
    X(Cumprod)                                                                                         \
    X(BiasAdd) X(BiasAddGrad) X(Softmax) X(LogSoftmax) X(SoftmaxCrossEntropyWithLogits)                \
    X(SparseSoftmaxCrossEntropyWithLogits) X(InTopK) X(InTopKV2)                                       \
    X(FusedBatchNormV3) X(FusedBatchNormGradV3) X(LRN) X(LRNGrad)                                      \
    X(RandomStandardNormal) X(TruncatedNormal) X(RandomUniform)                                        \
    X(VariableV2) X(Assign) X(AssignAdd) X(AssignSub)                                                  \
    X(VarHandleOp) X(ReadVariableOp) X(VarIsInitializedOp) X(IsVariableInitialized) X(VariableShape)   \
    X(AssignVariableOp) X(AssignAddVariableOp) X(AssignSubVariableOp)                                  \
    X(ApplyGradientDescent) X(ApplyMomentum) X(ApplyAdagrad) X(ApplyRMSProp) X(ApplyCenteredRMSProp)   \
    X(ApplyAdam) X(ResourceApplyGradientDescent) X(ResourceApplyMomentum) X(ResourceApplyAdagrad)      \
    X(ResourceApplyRMSProp) X(ResourceApplyCenteredRMSProp) X(ResourceApplyAdam)                       \
    X(Conv2D) X(Conv2DBackpropInput) X(Conv2DBackpropFilter) X(MaxPool) X(MaxPoolGrad) X(AvgPool)      \
    X(AvgPoolGrad)                                                                                     \
    X(ScalarSummary) X(HistogramSummary) X(ImageSummary) X(MergeSummary)                             \
    X(GroupedAllreduce)                                                                                \
    X(Switch) X(RefSwitch) X(Merge) X(Assert)                                                          \
    X(BroadcastGradientArgs) X(DynamicStitch) X(SaveV2) X(RestoreV2) X(MergeV2Checkpoints)            \
    X(SaveSlices) X(DisableCopyOnRead)                                                                 \
    X(StringJoin) X(StaticRegexFullMatch) X(ShardedFilename)

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
