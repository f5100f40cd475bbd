#pragma once
// W3C Trace Context for kflow records: the trace_context value type and inject/extract for
// record headers. See docs/tracing.md.

#include <kflow/tracing/record_headers.hpp>
#include <kflow/tracing/trace_context.hpp>
