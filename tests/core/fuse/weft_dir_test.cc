// /.weft through the mount, served from a fake SyntheticTree: hidden from
// the root's listing but resolvable, read-only, and call files whose every
// open is a private transaction.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "tests/core/fuse/mount_fixture.h"

namespace weft::fuse::testing {
namespace {

using weftdir::CallSession;
using weftdir::NodeInfo;
using weftdir::NodeKind;

// Blocks the "slow" call until released or cancelled; counts who waits.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  int waiting = 0;
  bool open = false;
  std::atomic<int> cancelled{0};
  void WaitForWaiters(int n) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return waiting >= n; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu);
    open = true;
    cv.notify_all();
  }
};

class FakeCall : public CallSession {
 public:
  FakeCall(int serial, Gate* gate) : serial_(serial), gate_(gate) {}
  Status Write(uint64_t offset, std::string_view data) override {
    if (ran_) return Status::FailedPrecondition("already ran");
    if (offset != request_.size()) return Status::InvalidArgument("writes must be sequential");
    request_.append(data);
    return Status::Ok();
  }
  Result<std::string> Read(uint64_t offset, size_t size) override {
    if (!ran_) {
      if (gate_ != nullptr) {
        std::unique_lock<std::mutex> lock(gate_->mu);
        ++gate_->waiting;
        gate_->cv.notify_all();
        gate_->cv.wait(lock, [&] { return gate_->open || cancelled_; });
        if (cancelled_) return Status::Cancelled("cancelled");
      }
      std::string req = request_.empty() ? "{}" : request_;
      while (!req.empty() && req.back() == '\n') req.pop_back();
      response_ = "{\"request\":" + req + ",\"session\":" + std::to_string(serial_) + "}\n";
      ran_ = true;
    }
    if (offset >= response_.size()) return std::string();
    return response_.substr(offset, size);
  }
  void Cancel() override {
    if (gate_ == nullptr) return;
    std::lock_guard<std::mutex> lock(gate_->mu);
    cancelled_ = true;
    ++gate_->cancelled;
    gate_->cv.notify_all();
  }

 private:
  int serial_;
  Gate* gate_;
  std::string request_, response_;
  bool ran_ = false;
  bool cancelled_ = false;  // guarded by gate_->mu
};

// /README.md (a file that changes on every read), /venoms/echo and
// /venoms/slow (call files).
class FakeTree : public weftdir::SyntheticTree {
 public:
  Gate gate;
  std::optional<NodeInfo> Get(uint64_t id) const override {
    switch (id) {
      case 1: return NodeInfo{1, NodeKind::kDirectory, "", 0, 0555, 0};
      case 2: return NodeInfo{2, NodeKind::kFile, "README.md", 12, 0444, 0};
      case 3: return NodeInfo{3, NodeKind::kDirectory, "venoms", 0, 0555, 0};
      case 4: return NodeInfo{4, NodeKind::kCallFile, "echo", 0, 0666, 0};
      case 5: return NodeInfo{5, NodeKind::kCallFile, "slow", 0, 0666, 0};
      default: return std::nullopt;
    }
  }
  std::optional<NodeInfo> Lookup(uint64_t parent, std::string_view name) const override {
    for (const NodeInfo& n : List(parent)) {
      if (n.name == name) return n;
    }
    return std::nullopt;
  }
  std::vector<NodeInfo> List(uint64_t dir) const override {
    if (dir == 1) return {*Get(2), *Get(3)};
    if (dir == 3) return {*Get(4), *Get(5)};
    return {};
  }
  Result<std::string> ReadFile(uint64_t id) const override {
    if (id != 2) return Status::NotFound("no such file");
    return "generation " + std::to_string(++reads_) + "\n";
  }
  Result<std::unique_ptr<CallSession>> OpenCall(uint64_t id) override {
    if (id != 4 && id != 5) return Status::NotFound("not a call file");
    return std::unique_ptr<CallSession>(new FakeCall(++opens_, id == 5 ? &gate : nullptr));
  }

 private:
  mutable std::atomic<int> reads_{0};
  std::atomic<int> opens_{0};
};

std::set<std::string> List(const std::string& dir) {
  std::set<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) out.insert(e->d_name);
  ::closedir(d);
  return out;
}

// One transaction on a call file: write `request`, read the whole answer.
std::string Call(const std::string& path, const std::string& request) {
  int fd = ::open(path.c_str(), O_RDWR);
  if (fd < 0) return "<open failed>";
  if (::write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) return "<write failed>";
  std::string out;
  char buf[7];  // small reads: the answer comes in pieces
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return n < 0 ? "<read failed>" : out;
}

class WeftDirTest : public MountTest {
 protected:
  FakeTree tree_;
};

TEST_F(WeftDirTest, NotListedAtTheRootButResolvable) {
  tmp_.WriteFile("ws/file", "x");
  tmp_.WriteFile("ws/.weft/host-entry", "shadowed by the synthetic tree");
  Mount({}, &tree_);
  EXPECT_EQ(List(mnt_), (std::set<std::string>{".", "..", "file"}));
  struct stat st {};
  ASSERT_EQ(::stat(M(".weft").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(List(M(".weft")), (std::set<std::string>{".", "..", "README.md", "venoms"}));
  EXPECT_FALSE(Exists(M(".weft/host-entry")));
  // Synthetic inode numbers never collide with the passthrough ones.
  struct stat root {};
  ASSERT_EQ(::stat(mnt_.c_str(), &root), 0);
  EXPECT_NE(st.st_ino, root.st_ino);
  EXPECT_NE(st.st_ino & (uint64_t{1} << 63), 0u);
  EXPECT_EQ(Sh("ls -A | tr '\\n' ' '", mnt_).second, "file ");
}

TEST_F(WeftDirTest, FilesAreReadOnlyAndRegeneratedPerOpen) {
  Mount({}, &tree_);
  EXPECT_EQ(Slurp(M(".weft/README.md")), "generation 1\n");
  EXPECT_EQ(Slurp(M(".weft/README.md")), "generation 2\n");
  EXPECT_EQ(::open(M(".weft/README.md").c_str(), O_WRONLY), -1);
  EXPECT_EQ(errno, EACCES);
  EXPECT_EQ(::unlink(M(".weft/README.md").c_str()), -1);
  EXPECT_EQ(errno, EROFS);
  EXPECT_EQ(::mkdir(M(".weft/new").c_str(), 0755), -1);
  EXPECT_EQ(errno, EROFS);
  EXPECT_EQ(::open(M(".weft/venoms/new").c_str(), O_CREAT | O_WRONLY, 0644), -1);
  EXPECT_EQ(errno, EROFS);
  EXPECT_EQ(::rename(M(".weft/README.md").c_str(), M("stolen").c_str()), -1);
  EXPECT_EQ(errno, EROFS);
  EXPECT_EQ(::chmod(M(".weft/README.md").c_str(), 0666), -1);
  EXPECT_EQ(errno, EROFS);
  EXPECT_EQ(::rmdir(M(".weft").c_str()), -1);
  EXPECT_EQ(errno, EROFS);
}

TEST_F(WeftDirTest, EachOpenOfACallFileGetsItsOwnAnswer) {
  Mount({}, &tree_);
  std::vector<std::string> answers(16);
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] { answers[i] = Call(M(".weft/venoms/echo"), "{\"n\":" + std::to_string(i) + "}"); });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> sessions;
  for (int i = 0; i < 16; ++i) {
    std::string want = "{\"request\":{\"n\":" + std::to_string(i) + "},\"session\":";
    EXPECT_EQ(answers[i].rfind(want, 0), 0u) << answers[i];
    sessions.insert(answers[i].substr(want.size()));
  }
  EXPECT_EQ(sessions.size(), 16u);
}

TEST_F(WeftDirTest, ShellTransactionOnOneDescriptor) {
  Mount({}, &tree_);
  auto [code, out] = Sh("exec 3<>.weft/venoms/echo; echo '{\"a\":1}' >&3; cat <&3", mnt_);
  ASSERT_EQ(code, 0) << out;
  EXPECT_EQ(out, "{\"request\":{\"a\":1},\"session\":1}\n");
}

TEST_F(WeftDirTest, BlockedCallsDoNotStarveTheMount) {
  tmp_.WriteFile("ws/plain.txt", "still served");
  Mount({}, &tree_);
  constexpr int kCalls = 24;
  std::vector<std::string> answers(kCalls);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCalls; ++i) {
    threads.emplace_back([&, i] { answers[i] = Call(M(".weft/venoms/slow"), "{}"); });
  }
  tree_.gate.WaitForWaiters(kCalls);
  EXPECT_EQ(Slurp(M("plain.txt")), "still served");
  EXPECT_EQ(Call(M(".weft/venoms/echo"), "{}").rfind("{\"request\":{}", 0), 0u);
  tree_.gate.Open();
  for (auto& t : threads) t.join();
  for (const std::string& a : answers) EXPECT_EQ(a.rfind("{\"request\":{}", 0), 0u) << a;
}

void NoOp(int) {}

TEST_F(WeftDirTest, AnInterruptedReadCancelsTheCall) {
  Mount({}, &tree_);
  struct sigaction sa {};
  sa.sa_handler = NoOp;  // no SA_RESTART: the read returns
  ASSERT_EQ(::sigaction(SIGUSR1, &sa, nullptr), 0);
  std::atomic<int> result{0}, err{0};
  std::thread reader([&] {
    int fd = ::open(M(".weft/venoms/slow").c_str(), O_RDWR);
    char buf[64];
    result = static_cast<int>(::read(fd, buf, sizeof(buf)));
    err = errno;
    ::close(fd);
  });
  tree_.gate.WaitForWaiters(1);
  while (tree_.gate.cancelled.load() == 0) {
    ::pthread_kill(reader.native_handle(), SIGUSR1);
    std::unique_lock<std::mutex> lock(tree_.gate.mu);
    tree_.gate.cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return tree_.gate.cancelled.load() > 0; });
  }
  reader.join();
  EXPECT_EQ(tree_.gate.cancelled.load(), 1);
  EXPECT_EQ(result.load(), -1);
  EXPECT_EQ(err.load(), EINTR);
}

}  // namespace
}  // namespace weft::fuse::testing
