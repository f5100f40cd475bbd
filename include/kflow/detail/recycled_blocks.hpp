#pragma once
// Memory for the per-message operations of the producers: one small object lives between each
// send and its delivery report. The general-purpose allocator's per-thread cache holds only a few
// blocks per size, and a producer has thousands of messages in flight, so most of those objects
// would take its slow path twice. Blocks are kept instead, per thread and per size class, and
// reused by the next send: in the steady state a send allocates nothing.
//
// A block freed on another thread than the one that took it (the async producer completes on its
// executor) simply joins that thread's cache: blocks of a class are interchangeable. Each cache
// is bounded and returns its blocks when its thread ends.
//
// Sanitizer builds use plain new/delete, so that AddressSanitizer still sees every object's
// lifetime.

#include <array>
#include <cstddef>
#include <new>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define KFLOW_DETAIL_RECYCLE_BLOCKS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define KFLOW_DETAIL_RECYCLE_BLOCKS 0
#endif
#endif
#if !defined(KFLOW_DETAIL_RECYCLE_BLOCKS)
#define KFLOW_DETAIL_RECYCLE_BLOCKS 1
#endif

namespace kflow::detail {

class recycled_blocks {
  public:
    /// Size classes: 64, 128, 256 and 512 bytes; larger objects use operator new directly.
    static constexpr std::size_t classes = 4;
    static constexpr std::size_t smallest = 64;
    /// Blocks kept per class and thread. A producer holds one block per message in flight, so
    /// the cache must hold a whole window of them to serve the next one without the heap: 16,384
    /// covers the windows kflow's benchmarks and examples use. A thread so keeps at most the
    /// blocks of its busiest moment (1 MiB of 64-byte blocks, 8 MiB of 512-byte ones), less
    /// than librdkafka's own copies of those messages took, until it ends.
    static constexpr std::size_t kept_per_class = 16384;

    [[nodiscard]] static void* allocate(std::size_t size) {
#if KFLOW_DETAIL_RECYCLE_BLOCKS
        const std::size_t c = class_of(size);
        if (c < classes) {
            if (cache* kept = local()) {
                if (void* block = kept->pop(c))
                    return block;
            }
            return ::operator new(smallest << c);
        }
#endif
        return ::operator new(size);
    }

    static void deallocate(void* block, std::size_t size) noexcept {
#if KFLOW_DETAIL_RECYCLE_BLOCKS
        const std::size_t c = class_of(size);
        if (c < classes) {
            cache* kept = local();
            if (kept == nullptr || !kept->push(c, block))
                ::operator delete(block, smallest << c);
            return;
        }
#endif
        ::operator delete(block, size);
    }

  private:
    static constexpr std::size_t class_of(std::size_t size) noexcept {
        std::size_t c = 0;
        while (c < classes && (smallest << c) < size)
            ++c;
        return c;
    }

    struct free_block {
        free_block* next;
    };

    struct cache {
        std::array<free_block*, classes> heads{};
        std::array<std::size_t, classes> counts{};

        cache() = default;
        cache(const cache&) = delete;
        cache& operator=(const cache&) = delete;
        ~cache() {
            ended() = true;
            for (std::size_t c = 0; c < classes; ++c) {
                while (free_block* b = heads[c]) {
                    heads[c] = b->next;
                    ::operator delete(b, smallest << c);
                }
            }
        }

        void* pop(std::size_t c) noexcept {
            free_block* b = heads[c];
            if (b == nullptr)
                return nullptr;
            heads[c] = b->next;
            --counts[c];
            return b;
        }
        bool push(std::size_t c, void* block) noexcept {
            if (counts[c] == kept_per_class)
                return false;
            heads[c] = ::new (block) free_block{heads[c]};
            ++counts[c];
            return true;
        }
    };

    /// Set once the thread's cache is destroyed. A trivially destructible thread_local stays
    /// readable to the thread's very end, so a block freed later (by another thread_local's
    /// destructor, or by a static object after main's thread_locals) goes back to the heap.
    static bool& ended() noexcept {
        static thread_local bool value = false;
        return value;
    }

    static cache* local() noexcept {
        if (ended())
            return nullptr;
        static thread_local cache blocks;
        return &blocks;
    }
};

/// Derive from this to take the object's memory from recycled_blocks. The deleting destructor
/// passes the most derived type's size, so a polymorphic base works for every derived class.
struct recycled_allocation {
    static void* operator new(std::size_t size) { return recycled_blocks::allocate(size); }
    static void operator delete(void* p, std::size_t size) noexcept {
        recycled_blocks::deallocate(p, size);
    }
};

}  // namespace kflow::detail
