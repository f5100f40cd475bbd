#!/usr/bin/env bash
# Runs kflow-secure-connection for one platform with fake credentials in the environment, shows
# its output, and passes only when it exits with the expected status within the given seconds,
# every extended regular expression matches a line of its output, and the fake secret appears
# nowhere in it (standard output and standard error): kflow prints secrets as [redacted].
# Usage: secure_connection_check.sh <binary> <platform> <status> <max-seconds> <regex>...
#                                   [-- <more arguments>...]
# Among the more arguments, --sasl-plaintext is the script's own: it sets
# KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT (a SASL platform without TLS) instead of being passed on.
set -euo pipefail
(($# >= 4)) || { echo "usage: secure_connection_check.sh <binary> <platform> <status> <max-seconds> <regex>... [-- <arguments>...]" >&2; exit 2; }
binary=$1 platform=$2 expected=$3 max_seconds=$4
shift 4
patterns=()
while (($# > 0)) && [[ $1 != -- ]]; do
    patterns+=("$1")
    shift
done
(($# > 0)) && shift  # the --

secret='FAKE-SECRET-5e1c0d9b'
# Only the variables of the platform: another platform's would be added to its configuration.
unset KAFKA_BOOTSTRAP_SERVERS KAFKA_SECURITY_PROTOCOL KAFKA_SASL_MECHANISM KAFKA_SASL_USERNAME \
      KAFKA_SASL_PASSWORD KAFKA_USERNAME KAFKA_PASSWORD KAFKA_SSL_CA_LOCATION \
      KAFKA_SSL_CERTIFICATE_LOCATION KAFKA_SSL_KEY_LOCATION KAFKA_SSL_KEY_PASSWORD \
      CONFLUENT_API_KEY CONFLUENT_API_SECRET MSK_IAM_TOKEN MSK_IAM_TOKEN_COMMAND \
      EVENTHUBS_CONNECTION_STRING KFLOW_REQUIRE_TLS
vars=()
case $platform in
    mock) ;;
    apache-kafka-scram | redpanda | aws-msk-scram)
        vars=(KAFKA_BOOTSTRAP_SERVERS=broker-1.example.com:9093 KAFKA_SASL_USERNAME=kflow-check
              "KAFKA_SASL_PASSWORD=$secret") ;;
    apache-kafka-mtls | aws-msk-tls)
        # The files need not exist until a client is created.
        vars=(KAFKA_BOOTSTRAP_SERVERS=broker-1.example.com:9094
              KAFKA_SSL_CA_LOCATION=/etc/kafka/ca.pem
              KAFKA_SSL_CERTIFICATE_LOCATION=/etc/kafka/client.pem
              KAFKA_SSL_KEY_LOCATION=/etc/kafka/client.key "KAFKA_SSL_KEY_PASSWORD=$secret") ;;
    confluent-cloud)
        vars=(KAFKA_BOOTSTRAP_SERVERS=pkc-00000.eu-west-1.aws.confluent.cloud:9092
              CONFLUENT_API_KEY=ABCDEFGHIJKLMNOP "CONFLUENT_API_SECRET=$secret") ;;
    aws-msk-iam)
        vars=(KAFKA_BOOTSTRAP_SERVERS=b-1.demo.kafka.eu-west-1.amazonaws.com:9098
              "MSK_IAM_TOKEN_COMMAND=echo $secret") ;;
    azure-event-hubs)
        vars=("EVENTHUBS_CONNECTION_STRING=Endpoint=sb://kflow-check.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=$secret") ;;
    *) echo "secure_connection_check.sh: no fake credentials for platform '$platform'" >&2; exit 2 ;;
esac
# For a SASL platform pointed at a plaintext mock without TLS: the SASL exchange itself fails.
if [[ " $* " == *" --sasl-plaintext "* ]]; then
    vars+=(KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT)
    args=()
    for a in "$@"; do [[ $a == --sasl-plaintext ]] || args+=("$a"); done
    set -- "${args[@]}"
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
start=$(date +%s%N)
env "${vars[@]}" "$binary" --platform "$platform" "$@" >"$out" 2>&1 || status=$?
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
cat "$out"
echo "(exit status $status after $elapsed_ms ms)"
((status == expected)) || { echo "FAILED: exit status $status, expected $expected" >&2; exit 1; }
((elapsed_ms <= max_seconds * 1000)) || { echo "FAILED: took $elapsed_ms ms, more than $max_seconds s" >&2; exit 1; }
for pattern in "${patterns[@]}"; do
    grep -Eq "$pattern" "$out" || { echo "FAILED: no line matches /$pattern/" >&2; exit 1; }
done
if grep -Fq "$secret" "$out"; then
    echo "FAILED: the secret given in the environment was printed" >&2
    exit 1
fi
echo "the secret given in the environment appears nowhere in the output"
