// serializer_for means what it says: false for a type without a codec.
#include <kflow/serde.hpp>

struct no_codec {
    int x = 0;
};

// expected error: serializer_for holds for a type without a codec
static_assert(kflow::serializer_for<kflow::serde<no_codec>, no_codec>,
              "serializer_for holds for a type without a codec");
