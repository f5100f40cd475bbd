#pragma once
// kflow's administration API: admin_client and its value types, topic specs (in code and JSON)
// and ensure_topics, ACL specs (in code and JSON) and ensure_acls. Each header under kflow/admin/
// may also be included on its own.

#include <kflow/admin/acl_ensure_result.hpp>
#include <kflow/admin/acl_plan.hpp>
#include <kflow/admin/acl_spec.hpp>
#include <kflow/admin/acl_spec_check.hpp>
#include <kflow/admin/acl_spec_error.hpp>
#include <kflow/admin/acl_spec_json.hpp>
#include <kflow/admin/acls.hpp>
#include <kflow/admin/client.hpp>
#include <kflow/admin/cluster_health.hpp>
#include <kflow/admin/config.hpp>
#include <kflow/admin/configs.hpp>
#include <kflow/admin/ensure_acls.hpp>
#include <kflow/admin/ensure_topics.hpp>
#include <kflow/admin/groups.hpp>
#include <kflow/admin/leaders.hpp>
#include <kflow/admin/offsets.hpp>
#include <kflow/admin/operations.hpp>
#include <kflow/admin/options.hpp>
#include <kflow/admin/results.hpp>
#include <kflow/admin/scram.hpp>
#include <kflow/admin/topic_comparison.hpp>
#include <kflow/admin/topic_ensure_result.hpp>
#include <kflow/admin/topic_spec.hpp>
#include <kflow/admin/topic_spec_check.hpp>
#include <kflow/admin/topic_spec_error.hpp>
#include <kflow/admin/topic_spec_json.hpp>
#include <kflow/admin/topics.hpp>
