// What the kernels of this module share: how they are built for the CPU, and a square root the
// compiler can vectorize. (Not part of the public header.)
#ifndef SPINDLE_KERNEL_TARGET_H
#define SPINDLE_KERNEL_TARGET_H

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

#endif
