#pragma once
// kflow's non-template code, for separate compilation (docs/compile-time.md).
//
// With KFLOW_SEPARATE_COMPILATION defined for every translation unit of a program, kflow's headers
// only declare the members of its non-template cores (producer, consumer, their Asio services,
// the event bridge); exactly one source file of the program defines them by including this
// header:
//
//     // kflow_src.cpp, compiled once with -DKFLOW_SEPARATE_COMPILATION like the rest
//     #include <kflow/src.hpp>
//
// With CMake, -DKFLOW_SEPARATE_COMPILATION=ON builds that file as the kflow::kflow_separate
// library. Without the macro (header-only, the default) every header defines what it uses and
// this header defines nothing.
//
// The admin client (kflow/admin/client.hpp) stays header-only in both modes.

#if defined(KFLOW_SEPARATE_COMPILATION)

#include <kflow/detail/impl/async_consumer_service.ipp>
#include <kflow/detail/impl/async_producer_service.ipp>
#include <kflow/detail/impl/client_core.ipp>
#include <kflow/detail/impl/consumer_core.ipp>
#include <kflow/detail/impl/consumer_queries.ipp>
#include <kflow/detail/impl/producer_core.ipp>
#include <kflow/detail/impl/queue_bridge.ipp>

#endif
