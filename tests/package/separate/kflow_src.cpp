// kflow's non-template code, compiled once for the whole program (docs/compile-time.md). Like
// every other file of the program it is compiled with KFLOW_SEPARATE_COMPILATION defined.
#include <kflow/src.hpp>
