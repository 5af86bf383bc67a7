// The optimizer updates of spindle_kernels.c, each also measuring what it did (gradient
// diagnostics): it adds to sums[0] Σ g² (the gradient as given, before `scale`), to sums[1]
// Σ (w_after − w_before)² and to sums[2] Σ w_after², over its n elements.
//
// Each element's update is the same expression as in the plain kernel, so the weights get the
// same bits whether a step measures or not (a Swift test trains both ways). The loops are
// written with explicit vectors of LANES floats (GCC/Clang vector extensions): a float sum is a
// reduction the compiler may not reorder on its own, so left to it the measured loop stayed
// scalar and took twice the plain kernel's time (now about 1.4×: `GradientMeter` says what that
// costs a step). Element i of the call's range goes to lane
// i mod LANES of each sum, the lanes added in order at the end: the grouping is written out, not
// left to the vectorizer or to the pointers' alignment, so a range gives the same sums at any
// address (a resumed run's buffers sit elsewhere) and on any thread.
#include <string.h>
#include "spindle_kernels.h"
#include "kernel_target.h"

enum { LANES = 8 };
typedef float lanes_t __attribute__((vector_size(LANES * sizeof(float))));
/// The sums' lanes are doubles: a float square overflows from 1.8e19 on, which a diverging
/// step's update reaches while the weights are still finite (and the checkpoint before it is
/// written, with these figures in its state).
typedef double sums_t __attribute__((vector_size(LANES * sizeof(double))));
#define WIDE(x) __builtin_convertvector((x), sums_t)

/// Unaligned loads and stores of LANES floats (memcpy compiles to vector moves). Macros, not
/// functions: a function taking or returning a 64-byte vector has a different calling
/// convention in each of the kernels' target clones.
#define LOAD(p) ({ lanes_t loaded_; memcpy(&loaded_, (p), sizeof loaded_); loaded_; })
#define STORE(p, value) do { lanes_t stored_ = (value); memcpy((p), &stored_, sizeof stored_); } while (0)

/// The three sums' lanes, added in lane order into `sums` (in double: a layer adds many ranges).
static inline void add_lanes(double *restrict sums, const sums_t *gs, const sums_t *ds, const sums_t *ws) {
    double g = 0, d = 0, w = 0;
    for (int k = 0; k < LANES; k++) {
        g += (*gs)[k];
        d += (*ds)[k];
        w += (*ws)[k];
    }
    sums[0] += g;
    sums[1] += d;
    sums[2] += w;
}

WIDEST_VECTORS
void spindle_adam_measured(size_t n, float *restrict w, const float *restrict g, float *restrict m,
                           float *restrict v, float scale, float l2, float shrink, float b1, float c1,
                           float b2, float c2, float step, float root_correction, float eps,
                           double *restrict sums) {
    sums_t gs = {0}, ds = {0}, ws = {0};
    size_t full = n - n % LANES;
    for (size_t i = 0; i < full; i += LANES) {
        lanes_t gi = LOAD(g + i), before = LOAD(w + i);
        lanes_t grad = scale * gi + l2 * before;
        lanes_t mi = b1 * LOAD(m + i) + c1 * grad;
        lanes_t vi = b2 * LOAD(v + i) + c2 * grad * grad;
        STORE(m + i, mi);
        STORE(v + i, vi);
        lanes_t after = shrink * before - step * mi / (SQRT(vi) * root_correction + eps);
        STORE(w + i, after);
        lanes_t d = after - before;
        sums_t gw = WIDE(gi), dw = WIDE(d), aw = WIDE(after);
        gs += gw * gw;
        ds += dw * dw;
        ws += aw * aw;
    }
    for (size_t i = full; i < n; i++) {
        size_t k = i - full;
        float before = w[i];
        float grad = scale * g[i] + l2 * w[i];
        float mi = b1 * m[i] + c1 * grad;
        float vi = b2 * v[i] + c2 * grad * grad;
        m[i] = mi;
        v[i] = vi;
        w[i] = shrink * w[i] - step * mi / (SQRT(vi) * root_correction + eps);
        float d = w[i] - before;
        gs[k] += (double)g[i] * g[i];
        ds[k] += (double)d * d;
        ws[k] += (double)w[i] * w[i];
    }
    add_lanes(sums, &gs, &ds, &ws);
}

WIDEST_VECTORS
void spindle_momentum_measured(size_t n, float *restrict w, const float *restrict g, float *restrict m,
                               float scale, float lambda, float lr, float mu, int nesterov,
                               double *restrict sums) {
    sums_t gs = {0}, ds = {0}, ws = {0};
    size_t full = n - n % LANES;
    for (size_t i = 0; i < full; i += LANES) {
        lanes_t gi = LOAD(g + i), before = LOAD(w + i);
        lanes_t grad = scale * gi + lambda * before;
        lanes_t mi = mu * LOAD(m + i) + grad;
        STORE(m + i, mi);
        lanes_t after = before - lr * (nesterov ? grad + mu * mi : mi);
        STORE(w + i, after);
        lanes_t d = after - before;
        sums_t gw = WIDE(gi), dw = WIDE(d), aw = WIDE(after);
        gs += gw * gw;
        ds += dw * dw;
        ws += aw * aw;
    }
    for (size_t i = full; i < n; i++) {
        size_t k = i - full;
        float before = w[i];
        float grad = scale * g[i] + lambda * w[i];
        float mi = mu * m[i] + grad;
        m[i] = mi;
        w[i] -= lr * (nesterov ? grad + mu * mi : mi);
        float d = w[i] - before;
        gs[k] += (double)g[i] * g[i];
        ds[k] += (double)d * d;
        ws[k] += (double)w[i] * w[i];
    }
    add_lanes(sums, &gs, &ds, &ws);
}

WIDEST_VECTORS
void spindle_sgd_measured(size_t n, float *restrict w, const float *restrict g, float scale, float lambda,
                          float lr, double *restrict sums) {
    sums_t gs = {0}, ds = {0}, ws = {0};
    size_t full = n - n % LANES;
    for (size_t i = 0; i < full; i += LANES) {
        lanes_t gi = LOAD(g + i), before = LOAD(w + i);
        lanes_t after = before - lr * (scale * gi + lambda * before);
        STORE(w + i, after);
        lanes_t d = after - before;
        sums_t gw = WIDE(gi), dw = WIDE(d), aw = WIDE(after);
        gs += gw * gw;
        ds += dw * dw;
        ws += aw * aw;
    }
    for (size_t i = full; i < n; i++) {
        size_t k = i - full;
        float before = w[i];
        w[i] -= lr * (scale * g[i] + lambda * w[i]);
        float d = w[i] - before;
        gs[k] += (double)g[i] * g[i];
        ds[k] += (double)d * d;
        ws[k] += (double)w[i] * w[i];
    }
    add_lanes(sums, &gs, &ds, &ws);
}
