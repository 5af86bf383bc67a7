// The optimizer updates of spindle_kernels.c, each also measuring what it did (gradient
// diagnostics): it adds to sums[0] Σ g² (the gradient as given, before `scale`), to sums[1]
// Σ (w_after − w_before)² and to sums[2] Σ w_after², over its n elements.
//
// Each element's update is the same statement as in the plain kernel, so the weights get the same
// bits whether a step measures or not (a Swift test trains both ways). The sums are kept in LANES
// float accumulators, element i going to lane i mod LANES of the call's range, and the lanes are
// added in order at the end: the grouping is written out, not left to the vectorizer or to the
// pointers' alignment, so a range gives the same sums at any address (a resumed run's buffers sit
// elsewhere) and on any thread.
#include "spindle_kernels.h"
#include "kernel_target.h"

enum { LANES = 16 };

/// The lanes of the three sums, added in lane order into `sums` (in double: a layer adds many
/// ranges' sums).
static inline void add_lanes(double *restrict sums, const float *gs, const float *ds, const float *ws) {
    double g = 0, d = 0, w = 0;
    for (int k = 0; k < LANES; k++) {
        g += gs[k];
        d += ds[k];
        w += ws[k];
    }
    sums[0] += g;
    sums[1] += d;
    sums[2] += w;
}

static inline void adam_element(size_t i, float *restrict w, const float *restrict g, float *restrict m,
                                float *restrict v, float scale, float l2, float shrink, float b1, float c1,
                                float b2, float c2, float step, float root_correction, float eps) {
    float grad = scale * g[i] + l2 * w[i];
    float mi = b1 * m[i] + c1 * grad;
    float vi = b2 * v[i] + c2 * grad * grad;
    m[i] = mi;
    v[i] = vi;
    w[i] = shrink * w[i] - step * mi / (SQRT(vi) * root_correction + eps);
}

WIDEST_VECTORS
void spindle_adam_measured(size_t n, float *restrict w, const float *restrict g, float *restrict m,
                           float *restrict v, float scale, float l2, float shrink, float b1, float c1,
                           float b2, float c2, float step, float root_correction, float eps,
                           double *restrict sums) {
    float gs[LANES] = {0}, ds[LANES] = {0}, ws[LANES] = {0};
    size_t full = n - n % LANES;
    for (size_t base = 0; base < full; base += LANES) {
        for (size_t k = 0; k < LANES; k++) {
            size_t i = base + k;
            float before = w[i];
            adam_element(i, w, g, m, v, scale, l2, shrink, b1, c1, b2, c2, step, root_correction, eps);
            float d = w[i] - before;
            gs[k] += g[i] * g[i];
            ds[k] += d * d;
            ws[k] += w[i] * w[i];
        }
    }
    for (size_t i = full; i < n; i++) {
        size_t k = i - full;
        float before = w[i];
        adam_element(i, w, g, m, v, scale, l2, shrink, b1, c1, b2, c2, step, root_correction, eps);
        float d = w[i] - before;
        gs[k] += g[i] * g[i];
        ds[k] += d * d;
        ws[k] += w[i] * w[i];
    }
    add_lanes(sums, gs, ds, ws);
}

static inline void momentum_element(size_t i, float *restrict w, const float *restrict g, float *restrict m,
                                    float scale, float lambda, float lr, float mu, int nesterov) {
    float grad = scale * g[i] + lambda * w[i];
    float mi = mu * m[i] + grad;
    m[i] = mi;
    w[i] -= lr * (nesterov ? grad + mu * mi : mi);
}

WIDEST_VECTORS
void spindle_momentum_measured(size_t n, float *restrict w, const float *restrict g, float *restrict m,
                               float scale, float lambda, float lr, float mu, int nesterov,
                               double *restrict sums) {
    float gs[LANES] = {0}, ds[LANES] = {0}, ws[LANES] = {0};
    size_t full = n - n % LANES;
    for (size_t base = 0; base < full; base += LANES) {
        for (size_t k = 0; k < LANES; k++) {
            size_t i = base + k;
            float before = w[i];
            momentum_element(i, w, g, m, scale, lambda, lr, mu, nesterov);
            float d = w[i] - before;
            gs[k] += g[i] * g[i];
            ds[k] += d * d;
            ws[k] += w[i] * w[i];
        }
    }
    for (size_t i = full; i < n; i++) {
        size_t k = i - full;
        float before = w[i];
        momentum_element(i, w, g, m, scale, lambda, lr, mu, nesterov);
        float d = w[i] - before;
        gs[k] += g[i] * g[i];
        ds[k] += d * d;
        ws[k] += w[i] * w[i];
    }
    add_lanes(sums, gs, ds, ws);
}

WIDEST_VECTORS
void spindle_sgd_measured(size_t n, float *restrict w, const float *restrict g, float scale, float lambda,
                          float lr, double *restrict sums) {
    float gs[LANES] = {0}, ds[LANES] = {0}, ws[LANES] = {0};
    size_t full = n - n % LANES;
    for (size_t base = 0; base < full; base += LANES) {
        for (size_t k = 0; k < LANES; k++) {
            size_t i = base + k;
            float before = w[i];
            w[i] -= lr * (scale * g[i] + lambda * w[i]);
            float d = w[i] - before;
            gs[k] += g[i] * g[i];
            ds[k] += d * d;
            ws[k] += w[i] * w[i];
        }
    }
    for (size_t i = full; i < n; i++) {
        size_t k = i - full;
        float before = w[i];
        w[i] -= lr * (scale * g[i] + lambda * w[i]);
        float d = w[i] - before;
        gs[k] += g[i] * g[i];
        ds[k] += d * d;
        ws[k] += w[i] * w[i];
    }
    add_lanes(sums, gs, ds, ws);
}
