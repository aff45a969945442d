// weft_fuse_bench: a tree served through a weft FUSE mount against the same
// tree on the host file system, side by side in one run: sequential read and
// write of 1 GiB, creating, stating and unlinking 10,000 files, `git status`
// in a 10,000-file repository and `rg` over 100 MB of text. Prints both
// figures, their ratio and whether each target is met.
//
//   weft_fuse_bench [options] --dir DIR --weft PATH [-- MOUNT_ARGS...]
//
// DIR holds native/ (measured directly), workspace/ (the same tree, served),
// mnt/ (where `weft mount mnt --workspace workspace --state state` shows it)
// and state/; MOUNT_ARGS go to `weft mount` (e.g. --log-level debug). The
// mount is taken down at the end, on failure and on SIGINT/SIGTERM.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "bench/fs_tree.h"
#include "bench/fuse_mount.h"
#include "bench/fuse_tree.h"

namespace {

using weft::bench::BenchError;
using weft::bench::Clock;
using weft::bench::CommandRun;
using weft::bench::FuseTree;
using weft::bench::RunCommand;

// Written last, so trees cut short by a failure are never taken as complete.
// Change it whenever the layout changes.
constexpr char kStampName[] = ".weft-fuse-bench";
constexpr char kStamp[] = "weft_fuse_bench trees v1\n";
const std::set<std::string> kCases = {"read", "write", "files", "git", "rg"};

struct Options {
  std::string dir;
  std::string weft;
  std::string rg = "rg";
  int runs = 5;          // timed reads and writes of 1 GiB, each side
  int rounds = 3;        // of create, stat and unlink, each side
  int command_runs = 9;  // timed git status and rg runs, each side
  std::set<std::string> only = kCases;
  std::vector<std::string> mount_args;
};

enum Side { kNative = 0, kMount = 1 };
constexpr const char* kSideName[] = {"native", "mount"};

// The two roots measured, and the mount server whose CPU time is sampled.
struct Sides {
  std::string root[2];
  pid_t server = -1;
};

// Times of one case on both sides, and the server's CPU time over the mount
// side's timed runs.
struct Samples {
  std::vector<double> s[2];
  double server_cpu_s = 0;
};

double ServerCpu(pid_t server) { return server > 0 ? weft::bench::CpuSeconds(server) : 0; }

double Seconds(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Runs `once` `runs` times per side, alternating which side goes first, and
// keeps what it returns (seconds).
void Alternate(int runs, const Sides& sides, const std::function<double(Side)>& once, Samples* out) {
  for (int i = 0; i < runs; ++i) {
    for (Side side : {i % 2 == 0 ? kNative : kMount, i % 2 == 0 ? kMount : kNative}) {
      double cpu0 = side == kMount ? ServerCpu(sides.server) : 0;
      out->s[side].push_back(once(side));
      if (side == kMount) out->server_cpu_s += ServerCpu(sides.server) - cpu0;
    }
  }
}

[[noreturn]] void Fail(const std::string& what, const std::string& path) {
  throw BenchError(what + " " + path + ": " + std::strerror(errno));
}

// A 1 MiB buffer aligned to a page.
struct Block {
  Block() : data(static_cast<char*>(std::aligned_alloc(4096, FuseTree::kMiB))) {
    if (data == nullptr) throw BenchError("out of memory");
    std::memset(data, 'w', FuseTree::kMiB);
  }
  ~Block() { std::free(data); }
  char* data;
};

// An open file, closed however the scope ends: nothing of the mount may stay
// open when it is unmounted.
class OpenFile {
 public:
  OpenFile(const std::string& path, int flags) : path_(path), fd_(::open(path.c_str(), flags | O_CLOEXEC, 0644)) {
    if (fd_ < 0) Fail("open", path);
  }
  ~OpenFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
  int fd() const { return fd_; }
  void Close() {
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) Fail("close", path_);
  }

 private:
  std::string path_;
  int fd_;
};

// Reads `path` to its end with 1 MiB read()s; returns seconds from open to close.
double ReadAll(const std::string& path, Block& block) {
  const auto t0 = Clock::now();
  OpenFile file(path, O_RDONLY);
  size_t total = 0;
  for (;;) {
    ssize_t n = ::read(file.fd(), block.data, FuseTree::kMiB);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) Fail("read", path);
    if (n == 0) break;
    total += static_cast<size_t>(n);
  }
  file.Close();
  double s = Seconds(t0);
  if (total != FuseTree::kBigBytes) throw BenchError(path + ": read " + std::to_string(total) + " bytes");
  return s;
}

// Writes a new 1 GiB file with 1 MiB write()s and no fsync; returns seconds
// from open to close.
double WriteAll(const std::string& path, Block& block) {
  const auto t0 = Clock::now();
  OpenFile file(path, O_WRONLY | O_CREAT | O_EXCL);
  for (size_t done = 0; done < FuseTree::kBigBytes;) {
    ssize_t n = ::write(file.fd(), block.data, FuseTree::kMiB);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) Fail("write", path);
    done += static_cast<size_t>(n);
  }
  file.Close();
  return Seconds(t0);
}

void SyncFs(const std::string& path) {
  OpenFile dir(path, O_RDONLY | O_DIRECTORY);
  if (::syncfs(dir.fd()) != 0) Fail("syncfs", path);
}

// Each side reads the file twice, untimed, first: once to have it cached,
// once more so that its pages are on the active list (the first reread of
// freshly cached pages pays for moving them there).
Samples MeasureRead(const Options& opt, const Sides& sides) {
  Block block;
  for (int i = 0; i < 2; ++i) {
    for (Side side : {kNative, kMount}) ReadAll(sides.root[side] + "/" + FuseTree::kBigFile, block);
  }
  Samples out;
  Alternate(opt.runs, sides, [&](Side side) { return ReadAll(sides.root[side] + "/" + FuseTree::kBigFile, block); },
            &out);
  return out;
}

// Each run writes a new file; removing it and syncing the file system (so
// that no run starts with another's dirty pages) are not timed. One untimed
// run per side first: a virtual machine's first touch of memory it has not
// used for a while costs more than the copy.
Samples MeasureWrite(const Options& opt, const Sides& sides) {
  Block block;
  auto once = [&](Side side) {
    const std::string path = sides.root[side] + "/" + FuseTree::kWriteFile;
    double s = WriteAll(path, block);
    if (::unlink(path.c_str()) != 0) Fail("unlink", path);
    SyncFs(opt.dir);
    return s;
  };
  once(kNative);
  once(kMount);
  Samples out;
  Alternate(opt.runs, sides, once, &out);
  return out;
}

// Creating, stating and unlinking FuseTree::kSmallFiles empty files in one
// directory (open O_CREAT|O_EXCL and close; fstatat; unlinkat), each pass
// timed. Each round works in a new subdirectory of FuseTree::kFilesDir
// (kept until the next run, so ext4 spreads the next one elsewhere; see
// fuse_tree.h), after a sync, so that the file system has no dirty inode
// tables. At most one round's files exist at a time: the mount server holds
// a descriptor for every inode the kernel knows.
struct FileOps {
  Samples create, stat, unlink;
};

std::vector<std::string> FileNames() {
  std::vector<std::string> names;
  for (int i = 0; i < FuseTree::kSmallFiles; ++i) {
    char name[16];
    std::snprintf(name, sizeof(name), "f%05d", i);
    names.emplace_back(name);
  }
  return names;
}

void FilePass(const std::string& dir, const std::vector<std::string>& names, Side side, pid_t server,
              const char* what, int (*op)(int dfd, const char* name), Samples* out) {
  OpenFile d(dir, O_RDONLY | O_DIRECTORY);
  double cpu0 = side == kMount ? ServerCpu(server) : 0;
  const auto t0 = Clock::now();
  for (const std::string& name : names) {
    if (op(d.fd(), name.c_str()) != 0) Fail(what, dir + "/" + name);
  }
  out->s[side].push_back(Seconds(t0));
  if (side == kMount) out->server_cpu_s += ServerCpu(server) - cpu0;
}

int CreateOp(int dfd, const char* name) {
  int fd = ::openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  return fd < 0 ? -1 : ::close(fd);
}

int StatOp(int dfd, const char* name) {
  struct stat st {};
  return ::fstatat(dfd, name, &st, 0);
}

int UnlinkOp(int dfd, const char* name) { return ::unlinkat(dfd, name, 0); }

FileOps MeasureFiles(const Options& opt, const Sides& sides) {
  const std::vector<std::string> names = FileNames();
  FileOps ops;
  for (int r = 0; r < opt.rounds; ++r) {
    const std::string sub = std::string("/") + FuseTree::kFilesDir + "/r" + std::to_string(r);
    const Side order[2] = {r % 2 == 0 ? kNative : kMount, r % 2 == 0 ? kMount : kNative};
    auto both = [&](const char* what, int (*op)(int, const char*), Samples* out) {
      for (Side side : order) FilePass(sides.root[side] + sub, names, side, sides.server, what, op, out);
    };
    for (Side side : order) {
      if (::mkdir((sides.root[side] + sub).c_str(), 0755) != 0) Fail("mkdir", sides.root[side] + sub);
    }
    SyncFs(opt.dir);
    both("create", CreateOp, &ops.create);
    both("stat", StatOp, &ops.stat);
    both("unlink", UnlinkOp, &ops.unlink);
  }
  return ops;
}

// Runs `argv` in `subdir` of each side, once untimed and then command_runs
// times alternating; `check` vets every run's output.
Samples MeasureCommand(const Options& opt, const Sides& sides, const std::vector<std::string>& argv,
                       const char* subdir, const std::function<std::string(const CommandRun&)>& check) {
  auto once = [&](Side side) {
    CommandRun run = RunCommand(argv, sides.root[side] + "/" + subdir, "");
    std::string wrong = run.status != 0 ? "exited with " + std::to_string(run.status) : check(run);
    if (!wrong.empty()) throw BenchError(argv[0] + " on the " + kSideName[side] + " side: " + wrong);
    return run.ms / 1000;
  };
  once(kNative);
  once(kMount);
  Samples out;
  Alternate(opt.command_runs, sides, once, &out);
  return out;
}

Samples MeasureGitStatus(const Options& opt, const Sides& sides) {
  return MeasureCommand(opt, sides, {"git", "status"}, FuseTree::kRepoDir, [](const CommandRun& run) {
    return run.out.find("nothing to commit, working tree clean") == std::string::npos
               ? "git status does not say the tree is clean: " + run.out.substr(0, 500)
               : std::string();
  });
}

Samples MeasureRg(const Options& opt, const Sides& sides) {
  using weft::bench::FsTree;
  return MeasureCommand(opt, sides, {opt.rg, "--no-config", FsTree::kSearchPattern, "."}, FuseTree::kSearchDir,
                        [](const CommandRun& run) {
                          size_t lines = static_cast<size_t>(std::count(run.out.begin(), run.out.end(), '\n'));
                          return lines == FsTree::kSearchMatches
                                     ? std::string()
                                     : "found " + std::to_string(lines) + " matching lines, expected " +
                                           std::to_string(FsTree::kSearchMatches);
                        });
}

// One line of the table. Throughput cases compare native time / mount time
// (the mount's speed relative to native: at least `goal`); command cases
// compare mount time / native time (its slowdown: at most `goal`).
struct Row {
  std::string label;
  std::string native, mount;
  double ratio = 0;
  bool slowdown = false;
  double goal = 0;
  double cpu_ms_per_run = NAN;
  bool pass() const { return slowdown ? ratio <= goal : ratio >= goal; }
};

double Median(const std::vector<double>& v) { return weft::bench::Percentile(v, 0.5); }

Row MakeRow(const std::string& label, const Samples& s, bool slowdown, double goal, pid_t server,
            const std::function<std::string(double)>& shown) {
  Row row;
  row.label = label;
  double native = Median(s.s[kNative]), mount = Median(s.s[kMount]);
  row.native = shown(native);
  row.mount = shown(mount);
  row.ratio = slowdown ? mount / native : native / mount;
  row.slowdown = slowdown;
  row.goal = goal;
  if (server > 0) row.cpu_ms_per_run = s.server_cpu_s * 1000 / static_cast<double>(s.s[kMount].size());
  return row;
}

// The cases `opt.only` names, in order; `mount` is checked before each.
std::vector<Row> MeasureAll(const Options& opt, const Sides& sides, const weft::bench::WeftMount& mount,
                            std::vector<std::string>* notes) {
  using weft::bench::Fixed;
  auto mib_s = [](double s) { return Fixed(1024 / s, 0); };
  auto ms = [](double s) { return Fixed(s * 1000, 1); };
  std::vector<Row> rows;
  auto start = [&](const char* c, const char* what) {
    if (opt.only.count(c) == 0) return false;
    if (std::string trouble = mount.Trouble(); !trouble.empty()) throw BenchError(trouble);
    std::cerr << what << ", native and mount alternating ..." << std::endl;
    return true;
  };
  if (start("read", "sequential read of 1 GiB (cached)")) {
    rows.push_back(MakeRow("read 1 GiB, bs 1 MiB, cached, MiB/s", MeasureRead(opt, sides), false, 0.4,
                           sides.server, mib_s));
  }
  if (start("write", "sequential write of 1 GiB (no fsync)")) {
    rows.push_back(MakeRow("write 1 GiB, bs 1 MiB, no fsync, MiB/s", MeasureWrite(opt, sides), false, 0.4,
                           sides.server, mib_s));
  }
  if (start("files", "create, stat and unlink 10,000 files")) {
    FileOps ops = MeasureFiles(opt, sides);
    double us_per_create = Median(ops.create.s[kNative]) * 1e6 / FuseTree::kSmallFiles;
    if (us_per_create > 100) {
      notes->push_back("native create took " + Fixed(us_per_create, 0) +
                       " us per file: the host file system allocates slowly\n"
                       "(ext4 without a journal skips inodes freed in the last minutes; perf shows\n"
                       "recently_deleted). Both sides pay it, so the create ratio looks better than the\n"
                       "mount's own cost.");
    }
    rows.push_back(MakeRow("create 10,000 empty files, ms", ops.create, false, 0.3, sides.server, ms));
    rows.push_back(MakeRow("stat 10,000 files, ms", ops.stat, false, 0.7, sides.server, ms));
    rows.push_back(MakeRow("unlink 10,000 files, ms", ops.unlink, false, 0.15, sides.server, ms));
  }
  if (start("git", "git status in a 10,000-file repository")) {
    rows.push_back(MakeRow("git status, 10,000 files, ms", MeasureGitStatus(opt, sides), true, 1.5, sides.server, ms));
  }
  if (start("rg", "rg over 2,000 files, 100 MB")) {
    rows.push_back(MakeRow("rg over 2,000 files (100 MB), ms", MeasureRg(opt, sides), true, 5, sides.server, ms));
  }
  return rows;
}

// Prints the table; returns how many targets were missed.
int PrintRows(const Options& opt, const std::vector<Row>& rows, const std::vector<std::string>& notes) {
  using weft::bench::Fixed;
  weft::bench::TextTable table;
  table.heads = {"native", "mount", "ratio", "target", "result", "server CPU"};
  int missed = 0;
  for (const Row& r : rows) {
    std::string cpu = std::isnan(r.cpu_ms_per_run) ? "?" : Fixed(r.cpu_ms_per_run, 0);
    std::string goal = (r.slowdown ? "<= " : ">= ") + Fixed(r.goal, 2) + "x";
    const char* result = r.pass() ? "pass" : "FAIL";
    table.rows.push_back({r.label, {r.native, r.mount, Fixed(r.ratio, 2) + "x", goal, result, cpu}});
    missed += r.pass() ? 0 : 1;
  }
  std::cout << "\nA tree on the host file system (native) against the same tree through a weft\n"
            << "FUSE mount (mount), alternating; medians of " << opt.runs << " reads and writes, " << opt.rounds
            << " rounds of\ncreate/stat/unlink, " << opt.command_runs
            << " runs of git status and rg (after one untimed run of each).\n\n"
            << table.Render()
            << "\nratio: native time / mount time (the mount's speed relative to native, higher is\n"
               "better) for read, write, create, stat and unlink; mount time / native time (its\n"
               "slowdown, lower is better) for git status and rg.\n"
               "read: cached on both sides (each side reads its file twice before timing, so it\n"
               "sits in the host's page cache and in the mount's).\n"
               "write: a new file each run, 1,024 write()s then close(), no fsync on either side;\n"
               "removing it and syncing are not timed.\n"
               "stat: right after create, so with the attributes the kernel cached then.\n"
               "server CPU: the mount server's utime+stime per timed mount-side run, ms.\n";
  for (const std::string& note : notes) std::cout << "note: " << note << "\n";
  std::cout << (missed == 0 ? "all targets met" : std::to_string(missed) + " target(s) missed") << "\n";
  return missed;
}

[[noreturn]] void Usage(const char* why) {
  if (why != nullptr) std::cerr << "weft_fuse_bench: " << why << "\n";
  const Options d;
  std::cerr << "usage: weft_fuse_bench [OPTIONS] --dir DIR --weft PATH [-- MOUNT_ARGS...]\n"
               "Generates two identical trees in DIR (or reuses ones it made before), mounts one\n"
               "with `weft mount`, and compares file I/O, git status and rg through the mount\n"
               "with the same on the other, directly. MOUNT_ARGS go to `weft mount`.\n"
               "Options:\n"
            << "  --dir DIR          work directory (required; new, empty or ours)\n"
            << "  --weft PATH        the weft binary (required)\n"
            << "  --rg PATH          ripgrep (default " << d.rg << ")\n"
            << "  --runs N           timed 1 GiB reads and writes per side (default " << d.runs << ")\n"
            << "  --rounds N         create/stat/unlink rounds per side (default " << d.rounds << ")\n"
            << "  --command-runs N   timed git status and rg runs per side (default " << d.command_runs << ")\n"
            << "  --only CASES       comma-separated subset of read,write,files,git,rg\n";
  std::exit(why == nullptr ? 0 : 2);
}

int PositiveInt(const char* flag, const char* value) {
  return weft::bench::PositiveIntFlag(flag, value, [](const char* why) { Usage(why); });
}

std::set<std::string> ParseCases(const std::string& list) {
  std::set<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = std::min(list.find(',', start), list.size());
    std::string c = list.substr(start, comma - start);
    if (kCases.count(c) == 0) Usage(("unknown case in --only: '" + c + "'").c_str());
    out.insert(c);
    start = comma + 1;
  }
  return out;
}

Options ParseOptions(int argc, char** argv) {
  Options opt;
  int i = 1;
  for (; i < argc && std::strcmp(argv[i], "--") != 0; ++i) {
    std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    if (a == "--dir" && v != nullptr) opt.dir = v;
    else if (a == "--weft" && v != nullptr) opt.weft = v;
    else if (a == "--rg" && v != nullptr) opt.rg = v;
    else if (a == "--runs") opt.runs = PositiveInt("--runs", v);
    else if (a == "--rounds") opt.rounds = PositiveInt("--rounds", v);
    else if (a == "--command-runs") opt.command_runs = PositiveInt("--command-runs", v);
    else if (a == "--only" && v != nullptr) opt.only = ParseCases(v);
    else if (a == "-h" || a == "--help") Usage(nullptr);
    else Usage(("unknown option or missing value: " + a).c_str());
    ++i;
  }
  for (++i; i < argc; ++i) opt.mount_args.push_back(argv[i]);
  if (opt.dir.empty()) Usage("--dir DIR is required");
  if (opt.weft.empty()) Usage("--weft PATH is required");
  return opt;
}

// What the host must have; throws BenchError saying what is missing.
void CheckHost(const Options& opt) {
  struct stat st {};
  if (::stat("/dev/fuse", &st) != 0 || !S_ISCHR(st.st_mode)) {
    throw BenchError("no /dev/fuse on this machine: it cannot FUSE-mount (load the fuse module, or give the "
                     "container the device), so the mount cannot be measured");
  }
  if (::access("/dev/fuse", R_OK | W_OK) != 0) {
    throw BenchError("/dev/fuse is not usable by this user (" + std::string(std::strerror(errno)) + ")");
  }
  if (::access(opt.weft.c_str(), X_OK) != 0) {
    throw BenchError("no weft binary at " + opt.weft + " (" + std::strerror(errno) + "); build it first");
  }
  for (const std::string& tool : {std::string("git"), opt.rg}) {
    bool ok = false;
    try {
      ok = RunCommand({tool, "--version"}, "", "").status == 0;
    } catch (const BenchError&) {
    }
    if (!ok) throw BenchError(tool + " is not installed or does not run");
  }
}

// Makes DIR's two trees unless a complete pair is there from an earlier run.
void EnsureTrees(const std::string& dir) {
  namespace fs = std::filesystem;
  const fs::path stamp = fs::path(dir) / kStampName;
  std::string found = weft::bench::FileTail(stamp.string(), 100);
  if (found != kStamp) {
    std::error_code ec;
    if (fs::exists(dir) && !fs::is_empty(dir, ec)) {
      throw BenchError(dir + " is neither empty nor a work directory of weft_fuse_bench; give a new or empty one");
    }
    std::cerr << "generating two trees (1 GiB file, 10,000-file git repository, 100 MB of text) in " << dir
              << " ..." << std::endl;
    const auto t0 = Clock::now();
    fs::create_directories(dir);
    weft::bench::MakeFuseTree(dir + "/native");
    weft::bench::MakeFuseTree(dir + "/workspace");
    SyncFs(dir);  // write it all back now, not while timing
    FILE* f = std::fopen(stamp.c_str(), "w");
    if (f == nullptr || std::fputs(kStamp, f) < 0 || std::fclose(f) != 0) Fail("write", stamp.string());
    std::cerr << "generated in " << weft::bench::Fixed(Seconds(t0), 1) << " s" << std::endl;
  }
  for (const char* d : {"/mnt", "/state"}) fs::create_directories(dir + d);
  weft::bench::ResetFuseTree(dir + "/native");
  weft::bench::ResetFuseTree(dir + "/workspace");
}

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  Options opt = ParseOptions(argc, argv);
  try {
    CheckHost(opt);
    std::filesystem::create_directories(opt.dir);
    opt.dir = std::filesystem::canonical(opt.dir).string();
    EnsureTrees(opt.dir);
    weft::bench::MountSpec spec{opt.weft,           opt.dir + "/mnt",       opt.dir + "/workspace",
                                opt.dir + "/state", opt.dir + "/mount.log", opt.mount_args};
    weft::bench::WeftMount mount(spec);
    std::cerr << "mounted " << spec.workspace << " at " << spec.dir << " (server pid " << mount.server_pid()
              << ", log " << spec.log << ")" << std::endl;
    Sides sides{{opt.dir + "/native", spec.dir}, mount.server_pid()};
    std::vector<Row> rows;
    std::vector<std::string> notes;
    try {
      rows = MeasureAll(opt, sides, mount, &notes);
    } catch (const BenchError& e) {
      // An error on the mount side may have a cause the error does not name.
      std::string trouble = mount.Trouble();
      throw BenchError(trouble.empty() || std::string(e.what()).find(trouble) != std::string::npos
                           ? e.what()
                           : std::string(e.what()) + "\n" + trouble);
    }
    mount.Unmount();
    return PrintRows(opt, rows, notes) == 0 ? 0 : 1;
  } catch (const BenchError& e) {
    std::cerr << "weft_fuse_bench: " << e.what() << "\n";
    return 1;
  } catch (const std::filesystem::filesystem_error& e) {
    std::cerr << "weft_fuse_bench: " << e.what() << "\n";
    return 1;
  }
}
