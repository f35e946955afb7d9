#pragma once
// Coroutines for device-side protocol code. A protocol reads like its specification
// ("read the command byte, echo it, read a u32, echo it, answer a status") while the device
// model stays synchronous: a Task suspends when it needs bytes the host has not sent yet and is
// resumed, on the same thread, when an OUT transfer brings them. No threads, no clocks.

#include <coroutine>
#include <exception>
#include <optional>
#include <utility>

namespace mtk::emu {

namespace detail {

template <class Promise>
struct FinalAwaiter {
  bool await_ready() const noexcept { return false; }
  // Symmetric transfer to whoever awaited this task (nothing, for a top-level task).
  std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> h) const noexcept {
    auto next = h.promise().continuation;
    return next ? next : std::noop_coroutine();
  }
  void await_resume() const noexcept {}
};

struct PromiseBase {
  std::coroutine_handle<> continuation;
  std::suspend_always initial_suspend() const noexcept { return {}; }
  void unhandled_exception() const noexcept { std::terminate(); }  // protocol code returns errors
};

}  // namespace detail

// A lazily started coroutine returning T. `co_await task` runs it to completion; a top-level
// task is started with start() and then advances whenever what it awaits becomes ready.
template <class T = void>
class [[nodiscard]] Task {
 public:
  struct promise_type : detail::PromiseBase {
    std::optional<T> value;
    Task get_return_object() {
      return Task(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    detail::FinalAwaiter<promise_type> final_suspend() const noexcept { return {}; }
    void return_value(T v) { value = std::move(v); }
  };

  Task(Task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  Task& operator=(Task&& o) noexcept {
    if (this != &o) {
      if (h_) h_.destroy();
      h_ = std::exchange(o.h_, {});
    }
    return *this;
  }
  ~Task() {
    if (h_) h_.destroy();
  }

  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
    h_.promise().continuation = awaiting;
    return h_;
  }
  T await_resume() { return std::move(*h_.promise().value); }

  void start() { h_.resume(); }
  bool done() const { return !h_ || h_.done(); }

 private:
  explicit Task(std::coroutine_handle<promise_type> h) : h_(h) {}
  std::coroutine_handle<promise_type> h_;
};

template <>
class [[nodiscard]] Task<void> {
 public:
  struct promise_type : detail::PromiseBase {
    Task get_return_object() {
      return Task(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    detail::FinalAwaiter<promise_type> final_suspend() const noexcept { return {}; }
    void return_void() const noexcept {}
  };

  Task() = default;
  Task(Task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  Task& operator=(Task&& o) noexcept {
    if (this != &o) {
      if (h_) h_.destroy();
      h_ = std::exchange(o.h_, {});
    }
    return *this;
  }
  ~Task() {
    if (h_) h_.destroy();
  }

  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
    h_.promise().continuation = awaiting;
    return h_;
  }
  void await_resume() const noexcept {}

  void start() { h_.resume(); }
  bool done() const { return !h_ || h_.done(); }

 private:
  explicit Task(std::coroutine_handle<promise_type> h) : h_(h) {}
  std::coroutine_handle<promise_type> h_;
};

}  // namespace mtk::emu
