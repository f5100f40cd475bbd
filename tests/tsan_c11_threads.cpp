// Linked into every program of a ThreadSanitizer build (KFLOW_SANITIZE=thread).
//
// librdkafka starts its threads with C11 thrd_create(). GCC 12's TSan intercepts pthread_create()
// but not thrd_create() (glibc implements it with an internal call TSan cannot see), so a thread
// librdkafka starts is unknown to TSan and crashes in TSan's allocator at its first malloc.
// These definitions take precedence over glibc's for librdkafka and forward to the pthread
// functions TSan intercepts; glibc's thrd_t is its pthread_t.
//
// librdkafka's C11 mutexes and condition variables (mtx_*, cnd_*) are forwarded too, so TSan sees
// the locks that order librdkafka's threads against kflow's callbacks and the application. The
// one cost: a mutex librdkafka initializes and then hands to another thread through its own
// (uninstrumented) atomics shows up as a race on mtx_init, which tests/tsan.supp suppresses.

#include <threads.h>

#include <pthread.h>

#include <cerrno>
#include <cstdint>
#include <ctime>
#include <new>

namespace {

struct start_request {
    thrd_start_t function;
    void* argument;
};

void* run_c11_thread(void* raw) {
    const start_request request = *static_cast<start_request*>(raw);
    delete static_cast<start_request*>(raw);
    return reinterpret_cast<void*>(static_cast<std::intptr_t>(request.function(request.argument)));
}

int c11_result(int pthread_error) {
    switch (pthread_error) {
        case 0:
            return thrd_success;
        case ETIMEDOUT:
            return thrd_timedout;
        case EBUSY:
            return thrd_busy;
        case ENOMEM:
            return thrd_nomem;
        default:
            return thrd_error;
    }
}

}  // namespace
namespace {

pthread_mutex_t* native(mtx_t* m) {
    return reinterpret_cast<pthread_mutex_t*>(m);
}
pthread_cond_t* native(cnd_t* c) {
    return reinterpret_cast<pthread_cond_t*>(c);
}
}  // namespace
extern "C" {
int mtx_init(mtx_t* mutex, int type) {
    pthread_mutexattr_t attributes;
    pthread_mutexattr_init(&attributes);
    if ((type & mtx_recursive) != 0)
        pthread_mutexattr_settype(&attributes, PTHREAD_MUTEX_RECURSIVE);
    const int err = pthread_mutex_init(native(mutex), &attributes);
    pthread_mutexattr_destroy(&attributes);
    return c11_result(err);
}
void mtx_destroy(mtx_t* mutex) {
    pthread_mutex_destroy(native(mutex));
}
int mtx_lock(mtx_t* mutex) {
    return c11_result(pthread_mutex_lock(native(mutex)));
}
int mtx_trylock(mtx_t* mutex) {
    return c11_result(pthread_mutex_trylock(native(mutex)));
}
int mtx_timedlock(mtx_t* mutex, const struct timespec* until) {
    return c11_result(pthread_mutex_timedlock(native(mutex), until));
}
int mtx_unlock(mtx_t* mutex) {
    return c11_result(pthread_mutex_unlock(native(mutex)));
}
int cnd_init(cnd_t* c) {
    return c11_result(pthread_cond_init(native(c), nullptr));
}
void cnd_destroy(cnd_t* c) {
    pthread_cond_destroy(native(c));
}
int cnd_signal(cnd_t* c) {
    return c11_result(pthread_cond_signal(native(c)));
}
int cnd_broadcast(cnd_t* c) {
    return c11_result(pthread_cond_broadcast(native(c)));
}
int cnd_wait(cnd_t* c, mtx_t* m) {
    return c11_result(pthread_cond_wait(native(c), native(m)));
}
int cnd_timedwait(cnd_t* c, mtx_t* m, const struct timespec* u) {
    return c11_result(pthread_cond_timedwait(native(c), native(m), u));
}
}

extern "C" {

int thrd_create(thrd_t* thread, thrd_start_t function, void* argument) {
    auto* request = new (std::nothrow) start_request{function, argument};
    if (request == nullptr)
        return thrd_nomem;
    const int err = pthread_create(thread, nullptr, run_c11_thread, request);
    if (err != 0)
        delete request;
    return c11_result(err);
}

int thrd_join(thrd_t thread, int* result) {
    void* value = nullptr;
    const int err = pthread_join(thread, &value);
    if (err == 0 && result != nullptr) {
        *result = static_cast<int>(reinterpret_cast<std::intptr_t>(value));
    }
    return c11_result(err);
}

int thrd_detach(thrd_t thread) {
    return c11_result(pthread_detach(thread));
}

}  // extern "C"
