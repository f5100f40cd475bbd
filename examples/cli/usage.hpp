#pragma once
// The help of kflow-cli and of each of its commands: what `--help` prints, and what a usage
// error prints after naming the argument at fault.

#include <string_view>

namespace kflow_cli {

inline constexpr std::string_view main_usage =
    R"(usage: kflow-cli [-b HOST:PORT] [-X KEY=VALUE]... COMMAND [ARGUMENTS]

A command-line client for Apache Kafka, built on kflow.

Commands:
  produce TOPIC     one record per line of standard input
  consume TOPIC...  records to standard output, as text or JSON lines
  topics            list, describe, create, delete, or ensure from a JSON spec
  groups            list, describe, or show the lag of consumer groups
  health            the cluster's health: brokers, controller, partitions, optional canary
  config            the effective client configuration, secrets shown as [redacted]

Connection (before the command):
  -b, --bootstrap HOST:PORT[,...]  the cluster; default KAFKA_BOOTSTRAP_SERVERS
  -X KEY=VALUE      a librdkafka property, e.g. -X security.protocol=SASL_SSL; repeatable,
                    applied after the environment
  Every KAFKA_* variable sets a property: KAFKA_SASL_USERNAME is sasl.username, and so on
  (kflow::config_from_env). kflow-cli config prints what they add up to.
  -h, --help        this help; `kflow-cli COMMAND --help` for a command's
  --version         kflow's and librdkafka's versions

Exit status, for every command:
  0  done as asked
  1  the cluster refused or failed the operation, a record was not delivered, the check
     found a problem (health degraded, a topic differing from its spec), or a deadline
     passed before the goal
  2  a bad argument or bad input (option, -X property, input line, spec file), named
  3  the cluster could not be reached (no broker answered within the deadline)
)";

inline constexpr std::string_view produce_usage =
    R"(usage: kflow-cli produce TOPIC [-K DELIM] [-H NAME=VALUE]... [-p PARTITION] [--json]
                        [--report] [--timeout SECONDS]

Sends one record per line of standard input (the line without its newline), then waits for
every delivery. Prints "N of M records delivered to 'TOPIC'" on standard error.

  -K, --key-delimiter DELIM  the key is the text before the first DELIM, the value the rest;
                    a line without DELIM is all value, with a null key
  -H, --header NAME=VALUE    a header on every record; repeatable, kept in order
  -p, --partition N          send to partition N (default: the key's partition, or any)
  --json            each line is a JSON object: {"key": "k", "value": "v",
                    "headers": [["name", "value"], ...] or {"name": "value", ...},
                    "partition": N, "timestamp": MILLISECONDS}; every field is optional,
                    null key or value is Kafka's null (a value of null is a tombstone)
  --report          print one JSON line per delivered record on standard output:
                    {"partition": N, "offset": N, "timestamp": MS, "timestamp_type": ...,
                    "key": ..., "line": N}
  --timeout SECONDS how long to wait for the deliveries at the end (default 30)

Exit status: 0 when every record was delivered; 1 when one was not (each failure named on
standard error); 2 on a bad line (its number and why; the lines before it were sent);
3 when no broker could be reached.
)";

inline constexpr std::string_view consume_usage =
    R"(usage: kflow-cli consume TOPIC... [-g GROUP] [-p PARTITION]... [-o FROM] [--to TO | -e]
                        [-c COUNT] [-K DELIM] [--json] [--timeout SECONDS]

Prints the records of the topics, one per line: the value, or with -K the key, DELIM and the
value; with --json a JSON object per record. Without -g it reads the partitions directly
(assigned, no group); with -g it joins the consumer group and commits what it printed.

  -g, --group GROUP  join GROUP (subscribe); offsets of printed records are committed
  -p, --partition N  read only partition N (without -g; repeatable; default: all)
  -o, --from FROM    where to start: beginning (default), end, OFFSET, -N (N before the
                     end), or @TIME (the first record at or after TIME). With -g, only
                     beginning or end, for partitions the group has no committed offset for
  --to TO            stop each partition before TO: end (its end when the run started),
                     OFFSET, or @TIME (the first record stamped at or after TIME, and at
                     the latest at the end). With -g, only end
  -e, --exit         the same as --to end
  -c, --count N      exit after N records
  -K, --key-delimiter DELIM  text output: the key (empty when null), DELIM, then the value
  --json             JSON lines: {"topic": ..., "partition": N, "offset": N,
                     "timestamp": MS or null, "timestamp_type": "create_time",
                     "key": ... or null, "value": ... or null,
                     "headers": [["name", "value" or null], ...]}; bytes that are not
                     UTF-8 are shown as U+FFFD
  --timeout SECONDS  give up after this long (default: none; Ctrl-C ends the run)
TIME is milliseconds since the epoch or UTC as 2026-12-05T10:00:00Z (with optional .mmm).
--from @TIME asks the cluster for the offset (ListOffsets by time); librdkafka's mock
cluster answers every such lookup with "none", so there it starts at the end.

Exit status: 0 when the goal was reached (--to or -e for every partition, -c records), or on
Ctrl-C / SIGTERM; 1 when --timeout passed first or the cluster failed the read; 2 on a bad
argument; 3 when no broker could be reached.
)";

inline constexpr std::string_view topics_usage =
    R"(usage: kflow-cli topics list [--internal] [--json]
       kflow-cli topics describe TOPIC... [--json]
       kflow-cli topics create TOPIC [--partitions N] [--replication-factor R]
                               [--config KEY=VALUE]...
       kflow-cli topics delete TOPIC...
       kflow-cli topics ensure SPEC.json [--apply]

  list      topic names, one per line (--json: name, partitions with leader, replicas, ISR)
  describe  each topic's partitions with leader, replicas and in-sync replicas
  create    a topic (default: 1 partition, the broker's default replication factor)
  delete    topics and their records
  ensure    create the topics of a spec that are missing, then compare the others with it;
            --apply also adds partitions and changes configs that differ. The spec:
            {"topics": [{"name": ..., "partitions": N, "replication_factor": R,
            "configs": {"retention.ms": "86400000"}}, ...]}

Exit status: 0 when done; 1 when the cluster refused an operation or a topic is missing,
differs from its spec, or could not be read; 2 on a bad argument or spec; 3 when no broker
could be reached.
)";

inline constexpr std::string_view groups_usage =
    R"(usage: kflow-cli groups list [--json]
       kflow-cli groups describe GROUP... [--json]
       kflow-cli groups lag GROUP [TOPIC...] [--json]

  list      the consumer groups, with their state
  describe  each group's state, protocol, coordinator and members with their partitions
  lag       per partition: the committed offset, the high watermark and the lag (of TOPIC
            only, when given), and the group's total

Exit status: 0 when done; 1 when the cluster refused or failed a request; 2 on a bad
argument; 3 when no broker could be reached.
)";

inline constexpr std::string_view health_usage =
    R"(usage: kflow-cli health [--topic TOPIC]... [--canary TOPIC] [--deadline SECONDS] [--json]

Checks the cluster (kflow::cluster_health): brokers reachable, a controller, the partitions of
the topics (default: all) with their leaders and in-sync replicas, and with --canary, one
record produced to TOPIC and read back. Prints a one-line verdict, then the details.

  --topic TOPIC       check only these topics; repeatable
  --canary TOPIC      also produce one record to TOPIC (acks=all) and read it back
  --deadline SECONDS  the whole check's bound (default 10)
  --json              the report as one JSON object

Exit status: 0 healthy; 1 degraded (the verdict line says why); 2 on a bad argument;
3 unreachable.
)";

inline constexpr std::string_view config_usage =
    R"(usage: kflow-cli config [--json]

Prints the client configuration that -b, -X and the KAFKA_* variables add up to, one
KEY=VALUE line per property, every secret shown as [redacted]; then the KAFKA_* variables
that set no property. Connects to nothing.

Exit status: 0; 2 when -X names an unknown property, or a variable or -X a bad value.
)";

}  // namespace kflow_cli
