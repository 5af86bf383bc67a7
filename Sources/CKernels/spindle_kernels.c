#include "spindle_kernels.h"
#include <math.h>

// sqrtf may set errno, which keeps the compiler from vectorizing it unless built with
// -fno-math-errno; the elementwise builtin is the plain square root (v ≥ 0 here anyway).
#if __has_builtin(__builtin_elementwise_sqrt)
#define SQRT(x) __builtin_elementwise_sqrt(x)
#else
#define SQRT(x) sqrtf(x)
#endif

// Build AVX-512, AVX2 and baseline versions and choose at load time, where the platform's
// loader supports it (ELF ifuncs on x86-64 Linux); elsewhere the compiler's own target.
#if defined(__x86_64__) && defined(__linux__)
#define WIDEST_VECTORS __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define WIDEST_VECTORS
#endif

WIDEST_VECTORS
void spindle_adam(size_t n, float *restrict w, const float *restrict g, float *restrict m,
                  float *restrict v, float scale, float l2, float shrink, float b1, float c1,
                  float b2, float c2, float step, float root_correction, float eps) {
    for (size_t i = 0; i < n; i++) {
        float grad = scale * g[i] + l2 * w[i];
        float mi = b1 * m[i] + c1 * grad;
        float vi = b2 * v[i] + c2 * grad * grad;
        m[i] = mi;
        v[i] = vi;
        w[i] = shrink * w[i] - step * mi / (SQRT(vi) * root_correction + eps);
    }
}

WIDEST_VECTORS
void spindle_momentum(size_t n, float *restrict w, const float *restrict g, float *restrict m,
                      float scale, float lambda, float lr, float mu, int nesterov) {
    for (size_t i = 0; i < n; i++) {
        float grad = scale * g[i] + lambda * w[i];
        float mi = mu * m[i] + grad;
        m[i] = mi;
        w[i] -= lr * (nesterov ? grad + mu * mi : mi);
    }
}

WIDEST_VECTORS
void spindle_sgd(size_t n, float *restrict w, const float *restrict g, float scale, float lambda,
                 float lr) {
    for (size_t i = 0; i < n; i++) {
        w[i] -= lr * (scale * g[i] + lambda * w[i]);
    }
}
