#include "spindle_kernels.h"
#include "kernel_target.h"

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

/// One Philox4x32-10 block (Salmon et al., SC'11), as Random/Philox.swift.
static inline void philox4x32_10(uint32_t c[4], uint64_t key) {
    uint32_t k0 = (uint32_t)key, k1 = (uint32_t)(key >> 32);
    for (int round = 0; round < 10; round++) {
        uint64_t p0 = (uint64_t)0xD2511F53u * c[0], p1 = (uint64_t)0xCD9E8D57u * c[2];
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c[1] ^ k0, n2 = (uint32_t)(p0 >> 32) ^ c[3] ^ k1;
        c[0] = n0;
        c[1] = (uint32_t)p1;
        c[2] = n2;
        c[3] = (uint32_t)p0;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
}

WIDEST_VECTORS
void spindle_dropout(size_t rows, size_t units, const float *restrict a, float *restrict next,
                     float *restrict mask, uint32_t first_row, uint32_t stream, uint32_t step,
                     uint64_t key, float p) {
    const float scale = 1.0f / (1.0f - p);
    for (size_t r = 0; r < rows; r++) {
        const float *ar = a + r * units;
        float *xr = next + r * units, *mr = mask + r * units;
        // Blocks are independent, so the compiler runs several Philox blocks per vector.
        for (size_t j = 0; j < units; j += 4) {
            uint32_t c[4] = {(uint32_t)(j / 4), first_row + (uint32_t)r, stream, step};
            philox4x32_10(c, key);
            size_t lanes = units - j < 4 ? units - j : 4;
            for (size_t lane = 0; lane < lanes; lane++) {
                float draw = (float)(c[lane] >> 8) * (1.0f / 16777216.0f);
                float m = draw >= p ? scale : 0.0f;
                mr[j + lane] = m;
                xr[j + lane] = ar[j + lane] * m;
            }
        }
    }
}
