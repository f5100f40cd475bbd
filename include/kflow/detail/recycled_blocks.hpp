#pragma once
// Memory for the per-message operations of the producers: one small object lives between each
// send and its delivery report, and a producer has up to queue.buffering.max.messages of them in
// flight (100,000 by default). The general-purpose allocator's per-thread cache holds only a few
// blocks per size, so most of those objects would take its slow path twice.
//
// Blocks come from slabs instead, many blocks per allocation, and are kept once freed: per
// thread and per size class first, with no lock; what a thread keeps beyond its bound goes to a
// pool shared by all threads, a chain of blocks at a time under one lock. A block freed on
// another thread than the one that took it (the async producer completes on its executor) joins
// that thread's blocks: blocks of a class are interchangeable. A thread that ends gives its
// blocks to the shared pool.
//
// Slabs are never given back to the heap: a process keeps the blocks of its busiest moment, one
// block per message then in flight (64 bytes for a sync send with a callback, 256 for an
// awaited async_send, 64 more for owned value bytes: 6 MiB for 100,000 sync sends in flight, less
// than librdkafka's own copies of those messages took), and reuses them.
//
// AddressSanitizer builds use plain new/delete, so that it still sees every object's lifetime.

#include <algorithm>
#include <array>
#include <cstddef>
#include <mutex>
#include <new>
#include <utility>

#if defined(__SANITIZE_ADDRESS__)
#define KFLOW_DETAIL_RECYCLE_BLOCKS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KFLOW_DETAIL_RECYCLE_BLOCKS 0
#endif
#endif
#if !defined(KFLOW_DETAIL_RECYCLE_BLOCKS)
#define KFLOW_DETAIL_RECYCLE_BLOCKS 1
#endif

namespace kflow::detail {

class recycled_blocks {
  public:
    /// Size classes: 64 bytes to 1 KiB, doubling; larger objects use operator new directly. An
    /// async_send awaited by a coroutine takes 256 bytes, a sync send with a callback 24 (and
    /// 56 more when it keeps owned value bytes: delivery_op).
    static constexpr std::size_t classes = 5;
    static constexpr std::size_t cache_line = 64;
    static constexpr std::size_t smallest = cache_line;
    /// Blocks carved from one heap allocation.
    static constexpr std::size_t blocks_per_slab = 64;
    /// Blocks a thread keeps per class before it hands a chain of them to the shared pool: a
    /// sender that also serves its own reports (the sync producer's usual loop) then recycles
    /// a window of this many messages without taking the pool's lock.
    static constexpr std::size_t kept_per_class = 16384;
    /// Blocks moved between a thread and the shared pool at a time.
    static constexpr std::size_t chain_length = 1024;

    // The common case, a block kept by this thread or a place for one, is inline and takes no
    // lock and no thread_local initialization check; everything else is out of line.
    [[nodiscard, gnu::always_inline]] static void* allocate(std::size_t size) {
#if KFLOW_DETAIL_RECYCLE_BLOCKS
        const std::size_t c = class_of(size);
        if (c < classes) {
            chain& kept = local().kept[c];
            if (kept.length != 0) [[likely]]
                return kept.pop();
            return refill(c);
        }
#endif
        return allocate_large(size);
    }

    [[gnu::always_inline]] static void deallocate(void* block, std::size_t size) noexcept {
#if KFLOW_DETAIL_RECYCLE_BLOCKS
        const std::size_t c = class_of(size);
        if (c < classes) {
            thread_blocks& local_blocks = local();
            chain& kept = local_blocks.kept[c];
            if (local_blocks.hooked && kept.length < kept_per_class) [[likely]]
                kept.push(block);
            else
                give_back(c, block);
            return;
        }
#endif
        deallocate_large(block, size);
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

    /// A singly linked list of free blocks that knows its length and its last block, so that
    /// whole lists move between a thread and the shared pool in constant time.
    struct chain {
        free_block* head = nullptr;
        free_block* tail = nullptr;
        std::size_t length = 0;

        void push(void* block) noexcept {
            head = ::new (block) free_block{head};
            if (length++ == 0)
                tail = head;
        }
        [[nodiscard]] void* pop() noexcept {
            free_block* b = head;
            head = b->next;
            --length;
            return b;
        }
        /// Moves the first `n` blocks (n <= length) into a chain of their own.
        [[nodiscard]] chain split_front(std::size_t n) noexcept {
            chain front;
            front.head = head;
            front.length = n;
            free_block* last = head;
            for (std::size_t i = 1; i < n; ++i)
                last = last->next;
            front.tail = last;
            head = last->next;
            last->next = nullptr;
            length -= n;
            if (length == 0)
                tail = nullptr;
            return front;
        }
        void append(chain& other) noexcept {
            if (other.length == 0)
                return;
            if (length == 0)
                head = other.head;
            else
                tail->next = other.head;
            tail = other.tail;
            length += other.length;
            other = {};
        }
    };

    /// Chains of free blocks any thread may take, and the slabs they come from.
    class pool {
      public:
        /// A chain of up to chain_length blocks of class c: kept ones first, else a new slab.
        [[nodiscard]] chain take(std::size_t c) {
            {
                std::lock_guard lock(mutex_);
                chain& kept = free_[c];
                if (kept.length != 0)
                    return kept.split_front(std::min(kept.length, chain_length));
            }
            return carve_slab(c);
        }
        /// The blocks given last are taken first: they are the likeliest still in a CPU cache.
        void give(std::size_t c, chain& blocks) noexcept {
            std::lock_guard lock(mutex_);
            blocks.append(free_[c]);
            free_[c] = std::exchange(blocks, {});
        }
        [[nodiscard]] void* take_one(std::size_t c) {
            chain blocks = take(c);
            void* block = blocks.pop();
            give(c, blocks);
            return block;
        }
        void give_one(std::size_t c, void* block) noexcept {
            chain single;
            single.push(block);
            give(c, single);
        }

      private:
        static chain carve_slab(std::size_t c) {
            const std::size_t block_size = smallest << c;
            const std::size_t slab_size = block_size * blocks_per_slab;
            // Aligned to a cache line, as every block size is a multiple of one: a 64-byte
            // block is then exactly one line, and a report that finds its op out of the cache
            // misses once, not twice. (Slabs are never freed, so no aligned delete is needed.)
            auto* slab =
                static_cast<std::byte*>(::operator new (slab_size, std::align_val_t{cache_line}));
            // Linked in one pass, each block to the one after it: a thread that sends faster
            // than reports return its blocks (many messages in flight) carves a slab every 64
            // sends.
            chain blocks;
            free_block* next = nullptr;
            for (std::byte* b = slab + slab_size; b != slab;) {
                b -= block_size;
                next = ::new (b) free_block{next};
                if (blocks.tail == nullptr)
                    blocks.tail = next;
            }
            blocks.head = next;
            blocks.length = blocks_per_slab;
            return blocks;
        }

        std::mutex mutex_;
        std::array<chain, classes> free_{};
    };

    /// The shared pool lives as long as the process: a block may be freed by a static object's
    /// destructor after every other static is gone, and slabs are never given back.
    static pool& shared() {
        static pool* const instance = new pool;
        return *instance;
    }

    /// A thread's blocks. Trivially destructible and constant-initialized, so reaching it costs
    /// no initialization check; exit_hook, registered by the first slow-path call, hands the
    /// blocks to the shared pool when the thread ends.
    struct thread_blocks {
        std::array<chain, classes> kept{};
        bool hooked = false;  ///< exit_hook is registered and has not run yet
        bool ended = false;   ///< exit_hook ran: blocks now go straight to the shared pool
    };

    static thread_blocks& local() noexcept {
        static constinit thread_local thread_blocks blocks{};
        return blocks;
    }

    struct exit_hook {
        exit_hook() = default;
        exit_hook(const exit_hook&) = delete;
        exit_hook& operator=(const exit_hook&) = delete;
        ~exit_hook() {
            thread_blocks& blocks = local();
            blocks.hooked = false;
            blocks.ended = true;
            for (std::size_t c = 0; c < classes; ++c)
                shared().give(c, blocks.kept[c]);
        }
    };

    /// False once the thread's exit_hook ran: a block freed or taken later (by another
    /// thread_local's destructor, or by a static object after main's thread_locals) then goes
    /// straight to the shared pool.
    static bool hook(thread_blocks& blocks) {
        if (blocks.ended)
            return false;
        if (!blocks.hooked) {
            static thread_local exit_hook at_exit;
            blocks.hooked = true;
        }
        return true;
    }

    // Out of line also so that GCC's -Wmismatched-new-delete, seeing ::operator new inlined into
    // a class's operator new, does not take it for a mismatch with the class's operator delete.
    [[gnu::noinline]] static void* allocate_large(std::size_t size) {
        return ::operator new(size);
    }
    [[gnu::noinline]] static void deallocate_large(void* block, std::size_t size) noexcept {
        ::operator delete(block, size);
    }

    [[gnu::noinline]] static void* refill(std::size_t c) {
        thread_blocks& blocks = local();
        if (!hook(blocks))
            return shared().take_one(c);
        blocks.kept[c] = shared().take(c);
        return blocks.kept[c].pop();
    }

    [[gnu::noinline]] static void give_back(std::size_t c, void* block) noexcept {
        thread_blocks& blocks = local();
        bool kept_here = false;
        try {
            kept_here = hook(blocks);
        } catch (...) {
            // Registering the hook failed (out of memory): the pool takes the block instead.
        }
        if (!kept_here) {
            shared().give_one(c, block);
            return;
        }
        chain& kept = blocks.kept[c];
        if (kept.length >= kept_per_class) {
            chain surplus = kept.split_front(chain_length);
            shared().give(c, surplus);
        }
        kept.push(block);
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
