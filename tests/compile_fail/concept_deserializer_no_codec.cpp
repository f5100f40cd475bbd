// deserializer_for means what it says: false for a type without a codec.
#include <kflow/serde.hpp>

struct no_codec {
    int x = 0;
};

// expected error: deserializer_for holds for a type without a codec
static_assert(kflow::deserializer_for<kflow::serde<no_codec>, no_codec>,
              "deserializer_for holds for a type without a codec");
