#include "http/server.h"

#include <utility>  // before asio under C++20 (Boost 1.74)

#include <zlib.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/version.hpp>
#include <random>
#include <thread>
#include <vector>

#include <sys/resource.h>

#include <cstdlib>
#include <deque>

#include "api/api_error.h"
#include "api/router.h"
#include "common/log.h"
#include "common/thread.h"
#include "http/request.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <unordered_set>

namespace floe::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string NewRequestId() {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string id(52, 'A');
  // Twelve base-36 digits per 64-bit draw (36^12 < 2^64): five draws per id instead of 52.
  uint64_t bits = 0;
  for (size_t i = 0; i < id.size(); ++i) {
    if (i % 12 == 0) bits = rng();
    id[i] = kChars[bits % 36];
    bits /= 36;
  }
  return id;
}

struct Worker;

// The group-commit syncer: one thread that makes writes durable while the I/O threads go on
// serving. An I/O thread hands over the responses of one event-loop pass (Submit); the syncer
// takes everything handed over since its last flush, makes it durable with one WAL flush
// (DurabilityGate::WaitDurable covers every token before it), and posts each batch's responses
// back to the I/O thread that owns their connections. An I/O thread never blocks on a flush,
// so requests are parsed and executed while the previous batch is being synced.
// Thread safety: Submit from any thread; Start/Stop from the thread that runs the server.
class Syncer {
 public:
  using Responses = std::vector<std::function<void(Status)>>;
  explicit Syncer(DurabilityGate* gate) : gate_(gate) {
    // Test hook: every flush waits this long first, so that tests can observe what a client
    // sees while a write is applied but not yet durable.
    if (const char* d = std::getenv("FLOE_TEST_SYNC_DELAY_MS")) test_delay_ms_ = std::atoi(d);
  }
  ~Syncer() { Stop(); }

  void Start() {
    thread_ = std::thread([this] { Loop(); });
  }

  // Flushes and posts what was submitted, then ends the thread. REQUIRES: the io_contexts
  // the batches are posted to are still alive (they may be stopped).
  void Stop() {
    {
      std::lock_guard<std::mutex> l(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

  void Submit(asio::io_context* ioc, uint64_t token, Responses responses) {
    {
      std::lock_guard<std::mutex> l(mu_);
      queue_.push_back({ioc, token, std::move(responses)});
    }
    cv_.notify_one();
  }

 private:
  struct Batch {
    asio::io_context* ioc;
    uint64_t token;
    Responses responses;
  };

  void Loop() {
    std::vector<Batch> batches;
    for (;;) {
      {
        std::unique_lock<std::mutex> l(mu_);
        cv_.wait(l, [&] { return stop_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, nothing left
        batches.swap(queue_);
      }
      uint64_t token = 0;
      for (const auto& b : batches) token = std::max(token, b.token);
      if (test_delay_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(test_delay_ms_));
      Status st = gate_->WaitDurable(token);
      if (!st.ok()) log::Error("WAL flush failed: {}", st.ToString());
      for (auto& b : batches) {
        asio::post(*b.ioc, [responses = std::move(b.responses), st]() mutable {
          for (auto& respond : responses) respond(st);
        });
      }
      batches.clear();
    }
  }

  DurabilityGate* gate_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Batch> queue_;
  bool stop_ = false;
  int test_delay_ms_ = 0;
  std::thread thread_;
};

// Runs requests with large bodies (over kLargeBodyBytes) on one thread of their own, so that
// parsing and executing a 16 MiB request does not hold up the I/O thread's other clients, and
// at most one such request is materialized at a time (bounding the memory a burst of them
// takes). Thread safety: Submit from any thread.
class LargeRequests {
 public:
  static constexpr size_t kLargeBodyBytes = 1 << 20;
  static constexpr size_t kMaxQueued = 8;  // beyond: 503, as for an overloaded service

  void Start() {
    thread_ = StackThread(kRequestThreadStackBytes, [this] { Loop(); });
  }
  // REQUIRES: the workers' threads have ended (the dropped jobs' sessions are destroyed here,
  // and a session's destructor touches its worker).
  void Stop() {
    {
      std::lock_guard<std::mutex> l(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
    queue_.clear();
  }
  // False when the queue is full (the caller answers 503).
  bool Submit(std::function<void()> job) {
    {
      std::lock_guard<std::mutex> l(mu_);
      if (stop_ || queue_.size() >= kMaxQueued) return false;
      queue_.push_back(std::move(job));
    }
    cv_.notify_one();
    return true;
  }

 private:
  void Loop() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> l(mu_);
        cv_.wait(l, [&] { return stop_ || !queue_.empty(); });
        if (stop_) return;  // queued jobs are dropped; their connections close with the server
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      job();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stop_ = false;
  StackThread thread_;
};

// What the workers share: the connection count (maxConnections) and the large-request thread.
struct Shared {
  std::atomic<int64_t> connections{0};
  int64_t max_connections = 0;
  LargeRequests large;
};

class Session;

// One I/O thread: its io_context, its connections, and the responses of writes it holds
// until they are durable. The thread runs every ready handler, then hands the responses of
// the writes those handlers made to the syncer as one batch. Under load a batch holds many
// requests; idle, a batch is one request. Everything here is touched by the worker's own
// thread only.
struct Worker {
  // A read or write pending longer than idle_timeout closes the connection. One sweep timer
  // per worker enforces it, every sweep_period (at most half the timeout, so a connection
  // goes within 1.5 timeouts): a timer per operation cost ~2% of the I/O thread's CPU.
  Worker(DurabilityGate* e, Syncer* s, Shared* sh, std::chrono::seconds timeout, size_t output_budget_bytes)
      : gate(e),
        syncer(s),
        shared(sh),
        output_budget(output_budget_bytes),
        idle_timeout(timeout),
        sweep_period(std::clamp<std::chrono::milliseconds>(std::chrono::milliseconds(timeout) / 2,
                                                           std::chrono::milliseconds(100), std::chrono::seconds(5))),
        ioc(1),
        sweep_timer(ioc) {}
  DurabilityGate* gate;
  Syncer* syncer;
  Shared* shared;
  // Response bytes written by this worker's sessions but not yet taken by the kernel (clients
  // that read slowly or not at all), and the most it may be before stalled ones are closed.
  size_t pending_output = 0;
  const size_t output_budget;
  const std::chrono::seconds idle_timeout;
  const std::chrono::milliseconds sweep_period;
  std::unordered_set<Session*> sessions;  // declared before ioc: its handlers own the sessions
  asio::io_context ioc;
  asio::steady_timer sweep_timer;
  Syncer::Responses held;
  uint64_t held_token = 0;

  void Hold(uint64_t token, std::function<void(Status)> respond) {
    held_token = std::max(held_token, token);
    held.push_back(std::move(respond));
  }

  void Loop() {
    ScheduleSweep();
    constexpr int kMaxBatchHandlers = 512;  // bounds the latency of the first held response
    while (!ioc.stopped()) {
      if (ioc.run_one() == 0) break;
      for (int i = 0; i < kMaxBatchHandlers && ioc.poll_one() > 0; ++i) {
      }
      Release();
    }
  }

  void Release() {
    if (held.empty()) return;
    Syncer::Responses batch;
    batch.swap(held);
    const uint64_t token = held_token;
    held_token = 0;
    if (token <= gate->DurableToken()) {  // made durable by someone else's flush already
      for (auto& respond : batch) respond(Status::Ok());
      return;
    }
    syncer->Submit(&ioc, token, std::move(batch));
  }

  void ScheduleSweep() {
    sweep_timer.expires_after(sweep_period);
    sweep_timer.async_wait([this](beast::error_code ec) {
      if (ec) return;
      Sweep();
      ScheduleSweep();
    });
  }
  void Sweep();  // closes the connections whose pending operation is older than idle_timeout
  // Over the output budget: closes the connections whose responses have made no progress for
  // at least kStallMs, longest first, until the budget holds again.
  void EvictStalledWriters();
  static constexpr int64_t kStallMs = 500;
  std::chrono::steady_clock::time_point last_evict_scan;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  static constexpr size_t kReadBufferBytes = 16 * 1024;
  Session(tcp::socket socket, api::Router* router, Worker* worker, const ServerConfig* config)
      : socket_(std::move(socket)), router_(router), worker_(worker), config_(config) {
    worker_->sessions.insert(this);
    worker_->shared->connections.fetch_add(1, std::memory_order_relaxed);
  }
  ~Session() {
    worker_->sessions.erase(this);
    worker_->shared->connections.fetch_sub(1, std::memory_order_relaxed);
  }

  // REQUIRES: called on the worker's thread, like every other member.
  void Start() {
    // Room for a typical request in one recv: beast reads at most the free capacity.
    buffer_.reserve(kReadBufferBytes);
    Read();
  }

  // Closes the socket if an operation has been pending longer than the timeout; its
  // handler then runs with operation_aborted and the session ends.
  void CloseIfStale(std::chrono::steady_clock::time_point now) {
    if (!op_pending_ || now - op_started_ < worker_->idle_timeout) return;
    beast::error_code ec;
    socket_.close(ec);
  }

  // A response write in flight: bytes the kernel has not taken yet, and when it last took some.
  bool writing() const { return writing_; }
  size_t unsent() const { return header_bytes_.size() + body_.size() - written_; }
  std::chrono::steady_clock::time_point last_progress() const { return op_started_; }
  void Abort() {
    beast::error_code ec;
    socket_.close(ec);
  }

 private:
  void BeginOp() {
    op_pending_ = true;
    op_started_ = std::chrono::steady_clock::now();
  }

  void Read() {
    parser_.emplace();
    parser_->body_limit(config_->max_request_bytes);
    parser_->header_limit(kMaxHeaderBytes);
    BeginOp();
    bhttp::async_read(socket_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    op_pending_ = false;
    if (ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof || !socket_.is_open()) {
      return Close();
    }
    if (ec == bhttp::error::body_limit) {
      keep_alive_ = false;
      return Respond(ErrorResponse(api::ApiError::RequestTooLarge(config_->max_request_bytes)));
    }
    if (ec) {
      keep_alive_ = false;
      api::ApiResponse r;
      r.status = 400;
      r.body = api::ApiError::Serialization("Malformed HTTP request").RenderBody();
      return Respond(std::move(r));
    }
    bhttp::request<bhttp::string_body> req = parser_->release();
    parser_.reset();
    // A large request grew the read buffer; give the memory back rather than keep it per
    // idle connection.
    if (buffer_.capacity() > 4 * kReadBufferBytes) {
      buffer_.shrink_to_fit();
      buffer_.reserve(kReadBufferBytes);
    }
    keep_alive_ = req.keep_alive();
    head_ = req.method() == bhttp::verb::head;
    const bool iceberg = api::Router::IsIcebergPath(std::string(req.target()));
    Job job;  // on the stack: only a large request's job moves to the heap
    api::HttpRequestView& view = job.view;
    view.method = std::string(req.method_string());
    view.target = std::string(req.target());
    for (const auto& f : req) view.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    if (req.method() == bhttp::verb::get && req.target() == "/metrics") {
      static const std::string kEmpty;
      view.body = &kEmpty;
      return Respond(router_->HandleMetrics(view));
    }
    if (req.method() == bhttp::verb::get && !iceberg) {
      api::ApiResponse r;
      r.content_type = "text/plain";
      r.body = "healthy: dynamodb." + config_->region + ".amazonaws.com ";
      return Respond(std::move(r));
    }
    if (req.method() != bhttp::verb::post && !iceberg) {
      api::ApiResponse r;
      r.status = 405;
      r.body = api::ApiError::UnknownOperation().RenderBody();
      return Respond(std::move(r));
    }
    auto enc = req.find(bhttp::field::content_encoding);
    if (enc != req.end() && enc->value() != "identity") job.encoding.assign(enc->value().data(), enc->value().size());
    job.body = std::move(req.body());
    // Large requests, and compressed ones that may inflate to large ones (zlib inflates at most
    // ~1000:1), run on the large-request thread; their responses come back to this thread.
    const bool large = job.body.size() > LargeRequests::kLargeBodyBytes ||
                       (!job.encoding.empty() && job.body.size() > LargeRequests::kLargeBodyBytes / 1024);
    if (!large) {
      Execute(job);
      if (job.close) keep_alive_ = false;
      return Finish(std::move(job.response));
    }
    const bool queued = worker_->shared->large.Submit(
        [self = shared_from_this(), job = std::make_shared<Job>(std::move(job))]() mutable {
          self->Execute(*job);
          asio::io_context& ioc = self->worker_->ioc;
          asio::post(ioc, [self = std::move(self), job = std::move(job)]() mutable {
            if (job->close) self->keep_alive_ = false;
            self->Finish(std::move(job->response));
          });
        });
    if (!queued) {
      Respond(ErrorResponse(api::ApiError::Unavailable("Too many large requests in progress; retry later")));
    }
  }

  // A request to execute: on this thread, or on the large-request thread.
  struct Job {
    api::HttpRequestView view;  // view.body is set to &body once decoded
    std::string encoding;
    std::string body;
    api::ApiResponse response;
    bool close = false;  // the connection closes after the response
  };

  // Decodes the body and hands the request to the router. Touches no session state (it may
  // run on the large-request thread). router_ and config_ are immutable.
  void Execute(Job& job) const {
    auto decoded = DecodeBody(job.encoding, std::move(job.body), config_->max_request_bytes);
    if (!decoded.ok()) {
      if (decoded.status().code() == StatusCode::kLimitExceeded) {
        job.close = true;
        job.response = ErrorResponse(api::ApiError::RequestTooLarge(config_->max_request_bytes));
      } else if (decoded.status().code() == StatusCode::kInvalidArgument) {
        job.response = ErrorResponse(api::ApiError::Serialization(decoded.status().message()));
      } else {
        job.response = ErrorResponse(api::ApiError::FromStatus(decoded.status()));
      }
      return;
    }
    job.body = std::move(decoded).value();
    job.view.body = &job.body;
    job.response = router_->Handle(job.view);
  }

  // The router's answer: sent at once, or held until the writes it observed are durable.
  void Finish(api::ApiResponse r) {
    if (r.durable_token != 0 && r.durable_token > worker_->gate->DurableToken()) {
      // Acknowledged only once durable: held until this thread's batch is flushed.
      auto held = std::make_shared<api::ApiResponse>(std::move(r));
      worker_->Hold(held->durable_token, [self = shared_from_this(), held](Status st) {
        if (!st.ok()) {
          // Not durable: a full disk is 503 (retry later), anything else 500.
          self->Respond(ErrorResponse(st.code() == StatusCode::kUnavailable
                                          ? api::ApiError::Unavailable(st.message())
                                          : api::ApiError::Internal("Internal server error")));
        } else {
          self->Respond(std::move(*held));
        }
      });
      return;
    }
    Respond(std::move(r));
  }

  static api::ApiResponse ErrorResponse(const api::ApiError& e) {
    api::ApiResponse r;
    r.status = e.http_status;
    r.body = e.RenderBody();
    return r;
  }

  // Serializes the response by hand into one header block and writes it with the body in
  // gather writes: Beast's serializer cost ~5% of the I/O thread's CPU per request. Each
  // partial write counts as progress (the idle sweep closes only a write that makes none).
  void Respond(api::ApiResponse r) {
    const bool no_body = r.status == 204 || head_;
    std::string& h = header_bytes_;
    h.clear();
    h += "HTTP/1.1 ";
    h += std::to_string(r.status);
    h += ' ';
    const beast::string_view reason = bhttp::obsolete_reason(static_cast<bhttp::status>(r.status));
    h.append(reason.data(), reason.size());
    h += "\r\nServer: floe\r\nContent-Type: ";
    h += r.content_type;
    h += "\r\nx-amzn-RequestId: ";
    h += NewRequestId();
    h += "\r\nx-amz-crc32: ";
    h += std::to_string(crc32(0L, reinterpret_cast<const Bytef*>(r.body.data()), static_cast<uInt>(r.body.size())));
    if (r.status != 204) {
      h += "\r\nContent-Length: ";
      h += std::to_string(no_body ? 0 : r.body.size());
    }
    if (!keep_alive_) h += "\r\nConnection: close";
    h += "\r\n\r\n";
    if (no_body) {
      body_.clear();
    } else {
      body_ = std::move(r.body);
    }
    written_ = 0;
    writing_ = true;
    BeginOp();  // before the budget check: this response has made no progress yet, but is not stalled
    worker_->pending_output += unsent();
    if (worker_->pending_output > worker_->output_budget) worker_->EvictStalledWriters();
    WriteSome();
  }

  void WriteSome() {
    const size_t hs = header_bytes_.size();
    std::array<asio::const_buffer, 2> buffers;
    if (written_ < hs) {
      buffers = {asio::buffer(header_bytes_.data() + written_, hs - written_), asio::buffer(body_)};
    } else {
      buffers = {asio::buffer(body_.data() + (written_ - hs), body_.size() - (written_ - hs)), asio::const_buffer()};
    }
    socket_.async_write_some(
        buffers, [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->OnWrote(ec, n); });
  }

  void OnWrote(beast::error_code ec, size_t n) {
    written_ += n;
    worker_->pending_output -= n;
    if (!ec && unsent() > 0) {
      op_started_ = std::chrono::steady_clock::now();  // progress
      return WriteSome();
    }
    worker_->pending_output -= unsent();
    writing_ = false;
    op_pending_ = false;
    if (body_.capacity() > 64 * 1024) body_ = std::string();  // no large buffer kept per idle connection
    if (ec || !keep_alive_) return Close();
    Read();
  }

  void Close() {
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
  }

  tcp::socket socket_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string header_bytes_;  // the response being written: status line and headers
  std::string body_;          // and its body
  size_t written_ = 0;        // bytes of header_bytes_ + body_ the kernel has taken
  bool writing_ = false;
  bool op_pending_ = false;  // a read or write is in flight, started (or last progressed) at op_started_
  std::chrono::steady_clock::time_point op_started_;
  bool keep_alive_ = true;
  bool head_ = false;  // HEAD: no body in the response
  api::Router* router_;
  Worker* worker_;
  const ServerConfig* config_;
};

void Worker::Sweep() {
  const auto now = std::chrono::steady_clock::now();
  // CloseIfStale only closes sockets; sessions leave the set later, from their handlers.
  for (Session* s : sessions) s->CloseIfStale(now);
  if (pending_output > output_budget) EvictStalledWriters();
}

void Worker::EvictStalledWriters() {
  // At most one scan of the sessions per 100 ms: while over budget with nothing to evict (slow
  // readers that do make progress), every response would otherwise scan them all.
  const auto now = std::chrono::steady_clock::now();
  if (now - last_evict_scan < std::chrono::milliseconds(100)) return;
  last_evict_scan = now;
  const auto cutoff = now - std::chrono::milliseconds(kStallMs);
  std::vector<Session*> stalled;
  for (Session* s : sessions) {
    if (s->writing() && s->last_progress() <= cutoff) stalled.push_back(s);
  }
  std::sort(stalled.begin(), stalled.end(),
            [](const Session* a, const Session* b) { return a->last_progress() < b->last_progress(); });
  // Abort only closes the socket; pending_output drops when the write's handler runs.
  size_t remaining = pending_output;
  size_t closed = 0;
  for (Session* s : stalled) {
    if (remaining <= output_budget) break;
    remaining -= std::min(remaining, s->unsent());
    s->Abort();
    ++closed;
  }
  if (closed > 0) {
    log::Warn("closed {} connection(s) whose clients stopped reading their responses ({} bytes waiting, budget {})",
              closed, pending_output, output_budget);
  }
}

}  // namespace

// One io_context per thread (a Worker): a connection lives on one thread for its whole
// life, so readiness events never wake another core. Accepted sockets are dealt round-robin.
struct Server::Impl {
  api::Router* router;
  DurabilityGate* gate;
  ServerConfig config;
  Shared shared;  // before workers: sessions destroyed with a worker's io_context touch it
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::unique_ptr<Syncer> syncer;  // declared after workers: stopped before their io_contexts go
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<asio::signal_set> signals;
  std::unique_ptr<asio::steady_timer> accept_retry;  // backoff after accept fails (out of descriptors)
  size_t next = 0;
  uint16_t port = 0;
  std::chrono::milliseconds accept_backoff{0};
  bool at_limit_logged = false;

  void Accept() {
    Worker* target = workers[next++ % workers.size()].get();
    acceptor->async_accept(target->ioc, [this, target](beast::error_code ec, tcp::socket socket) {
      if (!acceptor->is_open()) return;
      if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space || ec == asio::error::no_memory ||
          ec.value() == ENFILE) {
        // Out of file descriptors (or kernel memory): accepting again at once would fail again
        // and spin a core. Wait, doubling up to one second; say so once per episode.
        if (accept_backoff.count() == 0) {
          log::Error(
              "cannot accept connections: {} ({} open); retrying with backoff. Raise the descriptor limit "
              "(ulimit -n) or lower maxConnections ({})",
              ec.message(), shared.connections.load(), shared.max_connections);
          accept_backoff = std::chrono::milliseconds(10);
        } else {
          accept_backoff = std::min<std::chrono::milliseconds>(accept_backoff * 2, std::chrono::seconds(1));
        }
        accept_retry->expires_after(accept_backoff);
        accept_retry->async_wait([this](beast::error_code wait_ec) {
          if (!wait_ec) Accept();
        });
        return;
      }
      if (!ec) {
        if (accept_backoff.count() != 0) {
          log::Info("accepting connections again");
          accept_backoff = std::chrono::milliseconds(0);
        }
        if (shared.connections.load(std::memory_order_relaxed) >= shared.max_connections) {
          // Over maxConnections: the connection is closed at once (clients see it reset and retry).
          if (!at_limit_logged) {
            log::Warn("maxConnections ({}) reached: closing new connections until some close", shared.max_connections);
            at_limit_logged = true;
          }
          beast::error_code ignored;
          socket.set_option(asio::socket_base::linger(true, 0), ignored);
          socket.close(ignored);
        } else {
          at_limit_logged = false;
          beast::error_code ignored;
          socket.set_option(tcp::no_delay(true), ignored);
          // The session is made on its worker's thread: only that thread touches its sessions.
          asio::post(target->ioc, [this, target, socket = std::move(socket)]() mutable {
            std::make_shared<Session>(std::move(socket), router, target, &config)->Start();
          });
        }
      }
      Accept();
    });
  }
};

namespace {

// maxConnections when not configured: half the descriptor limit (the rest is for storage
// files and outgoing connections), at most 10000, at least 16.
int64_t DefaultMaxConnections() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return 10000;
  return std::clamp<int64_t>(static_cast<int64_t>(rl.rlim_cur) / 2, 16, 10000);
}

}  // namespace

Server::Server(api::Router* router, DurabilityGate* gate, const ServerConfig& config)
    : impl_(std::make_unique<Impl>()) {
  impl_->router = router;
  impl_->gate = gate;
  impl_->config = config;
  impl_->syncer = std::make_unique<Syncer>(gate);
  // Default: one I/O thread per core but one, which is left to the WAL syncer, RocksDB's
  // flushes and compactions and the kernel's network processing. Measured on 2 cores with
  // wrk on the same machine (bench/results/kv-2026-11-21.md): 1 I/O thread, PutItem ~29k/s
  // and GetItem ~51k/s with GetItem p99 ~2 ms; 2 threads, GetItem ~57k/s but p99 ~4 ms and
  // PutItem no faster, the threads preempting each other and the load generator. Rechecked
  // in session 10 (A/B, 2 rounds of 3 PutItem runs): 2 threads were better in one round and
  // worse in the other, within the host's noise. Rechecked in session 11, after the lighter
  // response path (bench/ab_kv.sh): 2 threads ~4% fewer PutItem/s at 25% more CPU per request,
  // and GetItem p99 5.0 against 4.5 ms, so the default stands.
  int n = config.threads > 0 ? config.threads : static_cast<int>(std::thread::hardware_concurrency()) - 1;
  if (n < 1) n = 1;
  for (int i = 0; i < n; ++i) {
    impl_->workers.push_back(std::make_unique<Worker>(gate, impl_->syncer.get(), &impl_->shared,
                                                      std::chrono::seconds(config.idle_timeout_seconds),
                                                      static_cast<size_t>(config.response_buffer_mb) << 20));
    impl_->guards.push_back(asio::make_work_guard(impl_->workers.back()->ioc));
  }
  impl_->acceptor = std::make_unique<tcp::acceptor>(impl_->workers[0]->ioc);
  impl_->signals = std::make_unique<asio::signal_set>(impl_->workers[0]->ioc, SIGINT, SIGTERM);
  impl_->accept_retry = std::make_unique<asio::steady_timer>(impl_->workers[0]->ioc);
  impl_->shared.max_connections = config.max_connections > 0 ? config.max_connections : DefaultMaxConnections();
}

Server::~Server() = default;

Status Server::Start() {
  beast::error_code ec;
  auto address =
      asio::ip::make_address(impl_->config.listen_host == "localhost" ? "127.0.0.1" : impl_->config.listen_host, ec);
  if (ec) return Status::InvalidArgument("bad listen host '" + impl_->config.listen_host + "': " + ec.message());
  tcp::endpoint ep(address, impl_->config.listen_port);
  impl_->acceptor->open(ep.protocol(), ec);
  if (!ec) impl_->acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor->bind(ep, ec);
  if (!ec) impl_->acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IOError("cannot listen on " + impl_->config.listen_host + ":" +
                           std::to_string(impl_->config.listen_port) + ": " + ec.message());
  }
  impl_->port = impl_->acceptor->local_endpoint().port();
  impl_->Accept();
  impl_->signals->async_wait([this](beast::error_code ec, int sig) {
    if (!ec) {
      log::Info("signal {} received, stopping", sig);
      Stop();
    }
  });
  return Status::Ok();
}

uint16_t Server::port() const { return impl_->port; }

void Server::Run() {
  impl_->syncer->Start();
  impl_->shared.large.Start();
  // Every I/O thread, the first included, has the same explicit stack (common/thread.h),
  // whatever the stack limit of the thread that called Run.
  std::vector<StackThread> threads;
  for (size_t i = 0; i < impl_->workers.size(); ++i) {
    threads.emplace_back(kRequestThreadStackBytes, [this, i] { impl_->workers[i]->Loop(); });
  }
  for (auto& t : threads) t.join();
  impl_->shared.large.Stop();
  impl_->syncer->Stop();  // the workers' io_contexts outlive it
}

void Server::Stop() {
  asio::post(impl_->workers[0]->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor->close(ec);
    impl_->signals->cancel(ec);
    impl_->accept_retry->cancel();
    for (auto& w : impl_->workers) w->ioc.stop();
  });
}

}  // namespace floe::http
