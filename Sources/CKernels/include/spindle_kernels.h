// Elementwise kernels that need the CPU's widest vectors.
//
// Swift compiles for the baseline of its target (SSE2 on x86-64) and has no per-function target
// selection, so the optimizer update — memory-bound only once it runs at AVX-512 width — is
// written here, where the compiler builds AVX-512, AVX2 and baseline versions of each function
// and the loader picks one for the CPU at run time (target_clones). Measured on the 2-core
// AVX-512 machine for Adam over 535,818 parameters: 0.35 ms against 0.78 ms for the same loop
// in Swift with SIMD16<Float>.
#ifndef SPINDLE_KERNELS_H
#define SPINDLE_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// Adam / AdamW over n elements, as torch.optim.Adam(W) (eps outside the bias-corrected root):
///   grad = scale·g + l2·w;  m = b1·m + c1·grad;  v = b2·v + c2·grad²
///   w = shrink·w − step · m / (sqrt(v)·root_correction + eps)
/// with c1 = 1 − b1, c2 = 1 − b2, step = lr / (1 − b1ᵗ), root_correction = 1 / sqrt(1 − b2ᵗ),
/// shrink = 1 − lr·λ for AdamW (else 1), l2 = λ for Adam (else 0).
void spindle_adam(size_t n, float *w, const float *g, float *m, float *v,
                  float scale, float l2, float shrink, float b1, float c1, float b2, float c2,
                  float step, float root_correction, float eps);

/// SGD with momentum μ (PyTorch's form): grad = scale·g + λ·w;  m = μ·m + grad;
///   w −= lr · (nesterov ? grad + μ·m : m).   With momentum = 0 and no buffer: w −= lr · grad.
void spindle_momentum(size_t n, float *w, const float *g, float *m,
                      float scale, float lambda, float lr, float mu, int nesterov);

/// Plain SGD: w −= lr · (scale·g + λ·w).
void spindle_sgd(size_t n, float *w, const float *g, float scale, float lambda, float lr);

/// The three updates above, each also measuring itself for the gradient diagnostics: adds
/// Σ g² (g as given), Σ (w_after − w_before)² and Σ w_after² over its n elements to sums[0..2].
/// The weights get the same bits as from the plain update (spindle_measured.c says why, and how
/// the sums stay the same for any alignment and thread).
void spindle_adam_measured(size_t n, float *w, const float *g, float *m, float *v,
                           float scale, float l2, float shrink, float b1, float c1, float b2, float c2,
                           float step, float root_correction, float eps, double *sums);
void spindle_momentum_measured(size_t n, float *w, const float *g, float *m,
                               float scale, float lambda, float lr, float mu, int nesterov, double *sums);
void spindle_sgd_measured(size_t n, float *w, const float *g, float scale, float lambda, float lr,
                          double *sums);

/// Inverted dropout over rows × units activations (row stride = units):
///   mask[r, j] = keep ? 1/(1 − p) : 0,  next[r, j] = a[r, j] · mask[r, j],
/// keep when the Philox4x32-10 draw for (row first_row + r, unit j) is ≥ p. The draw is lane j mod 4
/// of Philox.block(counter (j/4, first_row + r, stream, step), key), as a Float in [0, 1) from its
/// top 24 bits — the same numbers as Spindle's Swift `Philox` (a test compares the two).
void spindle_dropout(size_t rows, size_t units, const float *a, float *next, float *mask,
                     uint32_t first_row, uint32_t stream, uint32_t step, uint64_t key, float p);

#endif
