#pragma once
// kflow's observability: typed statistics, observers of clients, a Prometheus registry and the
// exporter that fills it from the clients (docs/observability.md).

#include <kflow/metrics/client_observer.hpp>
#include <kflow/metrics/group_lag.hpp>
#include <kflow/metrics/prometheus.hpp>
#include <kflow/metrics/registry.hpp>
#include <kflow/metrics/statistics.hpp>
#include <kflow/metrics/statistics_json.hpp>
