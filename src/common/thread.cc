#include "common/thread.h"

#include <pthread.h>

#include <cerrno>
#include <exception>
#include <system_error>

#include "common/log.h"

namespace floe {

namespace {

void* Trampoline(void* arg) {
  std::unique_ptr<std::function<void()>> fn(static_cast<std::function<void()>*>(arg));
  try {
    (*fn)();
  } catch (const std::exception& e) {
    log::Error("thread ended with an exception: {}", e.what());
    std::terminate();
  }
  return nullptr;
}

}  // namespace

StackThread::StackThread(size_t stack_bytes, std::function<void()> fn) {
  static_assert(sizeof(pthread_t) <= sizeof(handle_), "pthread_t must fit");
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  int rc = pthread_attr_setstacksize(&attr, stack_bytes);
  auto* arg = new std::function<void()>(std::move(fn));
  pthread_t t;
  if (rc == 0) rc = pthread_create(&t, &attr, &Trampoline, arg);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    delete arg;
    throw std::system_error(rc, std::generic_category(), "pthread_create");
  }
  handle_ = static_cast<unsigned long>(t);
  started_ = true;
}

StackThread::~StackThread() {
  if (started_) std::terminate();  // as std::thread: a running thread must be joined
}

StackThread::StackThread(StackThread&& other) noexcept : handle_(other.handle_), started_(other.started_) {
  other.started_ = false;
}

StackThread& StackThread::operator=(StackThread&& other) noexcept {
  if (started_) std::terminate();
  handle_ = other.handle_;
  started_ = other.started_;
  other.started_ = false;
  return *this;
}

void StackThread::join() {
  if (!started_) return;
  pthread_join(static_cast<pthread_t>(handle_), nullptr);
  started_ = false;
}

}  // namespace floe
