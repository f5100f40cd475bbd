#pragma once
// kflow: the whole public API.

#include <kflow/config.hpp>
#include <kflow/consumer.hpp>
#include <kflow/consumer_config.hpp>
#include <kflow/env_config.hpp>
#include <kflow/error.hpp>
#include <kflow/headers.hpp>
#include <kflow/presets.hpp>
#include <kflow/producer.hpp>
#include <kflow/producer_config.hpp>
#include <kflow/record.hpp>
#include <kflow/security.hpp>
#include <kflow/serde.hpp>
#include <kflow/topic_partition.hpp>
#include <kflow/version.hpp>
