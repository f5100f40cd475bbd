// std::optional<T> has a codec only when T has one.
#include <kflow/serde.hpp>

#include <optional>

struct no_codec {
    int x = 0;
};

// expected error: std::optional of a type without a codec is serializable
static_assert(kflow::serializer_for<kflow::serde<std::optional<no_codec>>, std::optional<no_codec>>,
              "std::optional of a type without a codec is serializable");
