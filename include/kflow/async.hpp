#pragma once
// kflow's async layer: async_producer and async_consumer with Asio completion tokens, and
// kflow::use_awaitable, their default token (see docs/async.md).

#include <kflow/async_consumer.hpp>
#include <kflow/async_producer.hpp>
#include <kflow/async_transaction.hpp>
#include <kflow/use_awaitable.hpp>
