#pragma once
// How kflow's non-template code is compiled.
//
// Header-only (the default): every function of the non-template cores is inline, and each core's
// header includes its definitions (kflow/detail/impl/<core>.ipp) at its end, so every translation
// unit that uses a core compiles it.
//
// Separate compilation (KFLOW_SEPARATE_COMPILATION defined for every translation unit of the
// program): the headers only declare those functions, and one source file of the program
// includes kflow/src.hpp, which compiles them once. docs/compile-time.md has the how-to.

#if defined(KFLOW_SEPARATE_COMPILATION)
#define KFLOW_DECL
#else
#define KFLOW_DECL inline
#endif
