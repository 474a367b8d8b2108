"""TensorBoard's scalar smoothing, written from its published description (a debiased
exponential moving average that passes NaN and infinities through and leaves a constant series
as it is), for the tests of tfc-plot and tfc-report to compare with."""
import math


def tb_smooth(values, weight):
    finite = [v for v in values if math.isfinite(v)]
    if weight == 0 or all(v == finite[0] for v in finite):
        return list(values)
    out, last, n = [], 0.0, 0
    for v in values:
        if not math.isfinite(v):
            out.append(v)
            continue
        last = last * weight + (1 - weight) * v
        n += 1
        out.append(last / (1 - weight ** n))
    return out
