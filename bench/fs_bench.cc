// weft_fs_bench: weft's fs and search tools side by side with the reference
// filesystem MCP server (@modelcontextprotocol/server-filesystem) over stdio,
// on one generated tree (fs_tree.h) and with the same client: sequential 4 KiB
// reads, listing a 10,000-entry directory (names and types, then with sizes
// and times), a glob over 20,000 files, cold start and resident memory; plus weft's search_code against the rg CLI run directly
// on the same query over 100 MB. Prints subject/peer ratios and whether each
// target is met.
//
//   weft_fs_bench [options] --tree DIR -- NAME CMD [ARGS...] [-- NAME CMD [ARGS...]]...
//
// Every server must serve DIR: weft as its workspace (--workspace DIR), the
// reference server as its allowed directory (its argument). What a server
// speaks is found with tools/list: fs_read, fs_list, fs_glob and search_code
// with workspace paths ("/read/file-4k.txt"), or read_text_file,
// list_directory, list_directory_with_sizes and search_files with absolute
// paths. The first server is
// the subject; every other one is a peer. All servers run at once and take
// turns within each phase, so a ratio compares the same minutes of a shared
// machine.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.h"
#include "bench/fs_tree.h"

namespace {

using nlohmann::json;
using weft::bench::BenchError;
using weft::bench::Child;
using weft::bench::Clock;
using weft::bench::FsTree;
using weft::bench::Percentile;
using weft::bench::Server;

constexpr char kProtocolVersion[] = "2025-11-25";
constexpr auto kCallTimeout = std::chrono::seconds(20);
// The reference server's search_files over 20,000 files takes seconds.
constexpr auto kLongCallTimeout = std::chrono::seconds(600);
// fs_list pages are at most this long (and at most what its schema allows).
constexpr long kListPage = 1000;
// fs_glob pages: as long as its schema allows, so that it can answer in one
// call, as the reference server's search_files does.
constexpr long kGlobPage = static_cast<long>(FsTree::kGlobMatches);

struct Options {
  std::string tree;
  std::string rg = "rg";
  int spawns = 20;
  int warmup = 200;
  int reads = 2000;
  int repeats = 5;
  int search_runs = 7;
};

// Which tools a server offers, from tools/list.
struct Dialect {
  bool weft = false;  // weft's tools, workspace paths; else the reference server's, absolute paths
  std::string read, list, list_sized, glob;
  bool search_code = false;
  long list_page = 0;     // weft: fs_list's limit per page
  long glob_page = 0;     // weft: fs_glob's limit per page
  long search_limit = 0;  // weft: search_code's limit
};

struct Figures {
  double cold_start_ms = 0;
  double read_p50_us = 0, read_p99_us = 0, read_calls_per_s = 0, read_cpu_us = 0;
  double list_ms = 0, list_sized_ms = 0, glob_ms = 0;
  int list_pages = 0, list_sized_pages = 0, glob_pages = 0;
  double rss_idle_mib = 0, rss_after_mib = 0;
  bool weft = false;
  // search_code against the rg CLI (servers that have it).
  bool searched = false;
  double search_ms = 0, rg_ms = 0, rss_after_search_mib = 0;
  size_t search_matches = 0, rg_matches = 0;
};

double RssMib(pid_t pid) { return static_cast<double>(weft::bench::ProcStatusKib(pid, "VmRSS")) / 1024.0; }

double Median(const std::vector<double>& v) { return Percentile(v, 0.5); }

using Session = weft::bench::ToolSession;

// The text of a result's first text block ("" if none).
std::string FirstText(const json& result) {
  const json& content = result.value("content", json::array());
  for (const json& block : content) {
    if (block.value("type", "") == "text") return block.value("text", "");
  }
  return "";
}

size_t CountLines(const std::string& text) {
  if (text.empty()) return 0;
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + (text.back() == '\n' ? 0 : 1);
}

// An integer schema bound of tool argument `arg`, or `fallback`.
long ArgMaximum(const json& tool, const char* arg, long fallback) {
  const json* p = &tool;
  for (const char* key : {"inputSchema", "properties", arg, "maximum"}) {
    if (!p->is_object() || !p->contains(key)) return fallback;
    p = &(*p)[key];
  }
  return p->is_number() ? p->get<long>() : fallback;
}

Dialect Discover(const json& tools_result) {
  std::map<std::string, json> tools;
  for (const json& t : tools_result.value("tools", json::array())) tools[t.value("name", "")] = t;
  auto has = [&](const char* name) { return tools.count(name) != 0; };
  Dialect d;
  if (has("fs_read") && has("fs_list") && has("fs_glob")) {
    d.weft = true;
    d.read = "fs_read";
    d.list = "fs_list";
    d.list_sized = "fs_list";
    d.glob = "fs_glob";
    d.list_page = std::min(kListPage, ArgMaximum(tools["fs_list"], "limit", kListPage));
    d.glob_page = std::min(kGlobPage, ArgMaximum(tools["fs_glob"], "limit", kGlobPage));
    d.search_code = has("search_code");
    if (d.search_code) {
      d.search_limit = ArgMaximum(tools["search_code"], "limit", static_cast<long>(FsTree::kSearchMatches));
    }
  } else if ((has("read_text_file") || has("read_file")) && has("list_directory") && has("search_files")) {
    d.read = has("read_text_file") ? "read_text_file" : "read_file";
    d.list = "list_directory";
    if (has("list_directory_with_sizes")) d.list_sized = "list_directory_with_sizes";
    d.glob = "search_files";
  } else {
    std::string names;
    for (const auto& [name, t] : tools) names += " " + name;
    throw BenchError("the server offers neither weft's fs tools nor the reference server's; it has:" + names);
  }
  return d;
}

// A path in the tree as `d` names it.
std::string TreePath(const Dialect& d, const Options& opt, const std::string& rel) {
  return d.weft ? "/" + rel : opt.tree + "/" + rel;
}

// One server under measurement.
struct Subject {
  const Server* server = nullptr;
  std::string log_path;  // its stderr
  std::unique_ptr<Session> session;
  Dialect dialect;
  Figures fig;
};

// A failure of subjects[index] (its stderr is worth showing).
class ServerFailure : public BenchError {
 public:
  ServerFailure(size_t index, const std::string& what) : BenchError(what), index_(index) {}
  size_t index() const { return index_; }

 private:
  size_t index_;
};

// Runs `step(subject, index)` for every subject in turn, so that every phase
// measures the servers side by side in the same minute of a shared machine.
template <typename Step>
void Each(std::vector<Subject>& subjects, const Step& step) {
  for (size_t i = 0; i < subjects.size(); ++i) {
    try {
      step(subjects[i], i);
    } catch (const ServerFailure&) {
      throw;
    } catch (const BenchError& e) {
      throw ServerFailure(i, e.what());
    }
  }
}

// Spawn to initialize reply, the servers taking turns; medians.
void ColdStarts(std::vector<Subject>& subjects, const Options& opt) {
  std::vector<std::vector<double>> ms(subjects.size());
  for (int i = 0; i < opt.spawns; ++i) {
    Each(subjects, [&](Subject& s, size_t k) {
      auto t0 = Clock::now();
      Child child(s.server->argv, s.log_path, /*stdout_pipe=*/true);
      weft::bench::McpHandshake(child, "weft_fs_bench", kProtocolVersion, kCallTimeout);
      ms[k].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    });
  }
  for (size_t k = 0; k < subjects.size(); ++k) subjects[k].fig.cold_start_ms = Median(ms[k]);
}

// The long-lived sessions: handshake, tools/list, then idle memory.
void StartSessions(std::vector<Subject>& subjects) {
  Each(subjects, [&](Subject& s, size_t) {
    s.session = std::make_unique<Session>(*s.server, s.log_path);
    weft::bench::McpHandshake(s.session->child(), "weft_fs_bench", kProtocolVersion, kCallTimeout);
    s.dialect = Discover(s.session->Request("tools/list", json::object(), kCallTimeout));
    s.fig.weft = s.dialect.weft;
  });
  // Let a lazily initialising runtime settle before sampling idle memory.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Each(subjects, [&](Subject& s, size_t) { s.fig.rss_idle_mib = RssMib(s.session->child().pid()); });
}

void CheckRead(const json& result) {
  std::string text = FirstText(result);
  if (text.find(FsTree::kReadBegin) == std::string::npos || text.find(FsTree::kReadEnd) == std::string::npos) {
    throw BenchError("the read reply lacks the file's first or last line: " + result.dump().substr(0, 2000));
  }
}

// Sequential reads of the 4 KiB file in rounds, the servers taking turns:
// latency, calls/s and server CPU over all rounds.
void ReadPhase(std::vector<Subject>& subjects, const Options& opt) {
  auto args = [&](const Subject& s) { return json{{"path", TreePath(s.dialect, opt, FsTree::kReadFile)}}; };
  double us = 0;
  Each(subjects, [&](Subject& s, size_t) {
    const json a = args(s);
    for (int i = 0; i < opt.warmup; ++i) CheckRead(s.session->Call(s.dialect.read, a, kCallTimeout, &us));
  });
  std::vector<std::vector<double>> lat(subjects.size());
  // CPU time comes in clock ticks (10 ms), so it is sampled once around all
  // rounds rather than summed per round; a server waiting for its turn is idle.
  std::vector<double> cpu(subjects.size(), 0.0);
  Each(subjects, [&](Subject& s, size_t k) { cpu[k] = -weft::bench::CpuSeconds(s.session->child().pid()); });
  const int rounds = std::min(opt.reads, 10);
  for (int r = 0; r < rounds; ++r) {
    const int n = opt.reads / rounds + (r < opt.reads % rounds ? 1 : 0);
    Each(subjects, [&](Subject& s, size_t k) {
      const json a = args(s);
      for (int i = 0; i < n; ++i) {
        CheckRead(s.session->Call(s.dialect.read, a, kCallTimeout, &us));
        lat[k].push_back(us);
      }
    });
  }
  Each(subjects, [&](Subject& s, size_t k) { cpu[k] += weft::bench::CpuSeconds(s.session->child().pid()); });
  for (size_t k = 0; k < subjects.size(); ++k) {
    Figures& f = subjects[k].fig;
    f.read_p50_us = Percentile(lat[k], 0.5);
    f.read_p99_us = Percentile(lat[k], 0.99);
    f.read_calls_per_s = opt.reads / (std::accumulate(lat[k].begin(), lat[k].end(), 0.0) / 1e6);
    f.read_cpu_us = cpu[k] * 1e6 / opt.reads;
  }
}

// Items in one reply: weft's structured `field` array, else the text's lines
// (for listings, the lines that name an entry: "[FILE] x" or "[DIR] y").
size_t CountItems(const Dialect& d, const json& result, const char* field, const char* empty_text) {
  if (d.weft) {
    const json& items = result.value("structuredContent", json::object()).value(field, json::array());
    if (!items.is_array()) throw BenchError(std::string("no ") + field + " array in " + result.dump().substr(0, 2000));
    return items.size();
  }
  std::string text = FirstText(result);
  if (text == empty_text) return 0;
  if (std::string_view(field) != "entries") return CountLines(text);
  size_t n = 0;
  for (size_t at = 0; at < text.size();) {
    if (text.compare(at, 6, "[FILE]") == 0 || text.compare(at, 5, "[DIR]") == 0) ++n;
    size_t nl = text.find('\n', at);
    if (nl == std::string::npos) break;
    at = nl + 1;
  }
  return n;
}

// What to fetch whole: a tool call, its item field (weft) or the text that
// means none (the reference server), and how many items it must give.
struct Fetch {
  std::string tool;
  json args;
  const char* field;
  const char* empty_text;
  size_t want;
};

// Names and types: fs_list with details false against list_directory.
Fetch ListFetch(const Subject& s, const Options& opt) {
  Fetch f{s.dialect.list, {{"path", TreePath(s.dialect, opt, FsTree::kListDir)}}, "entries", "",
          FsTree::kListEntries};
  if (s.dialect.weft) {
    f.args["limit"] = s.dialect.list_page;
    f.args["details"] = false;
  }
  return f;
}

// With sizes (and times): fs_list as it is by default against
// list_directory_with_sizes.
Fetch ListSizedFetch(const Subject& s, const Options& opt) {
  Fetch f{s.dialect.list_sized, {{"path", TreePath(s.dialect, opt, FsTree::kListDir)}}, "entries", "",
          FsTree::kListEntries};
  if (s.dialect.weft) f.args["limit"] = s.dialect.list_page;
  return f;
}

Fetch GlobFetch(const Subject& s, const Options& opt) {
  Fetch f{s.dialect.glob,
          {{"path", TreePath(s.dialect, opt, FsTree::kGlobDir)}, {"pattern", FsTree::kGlobPattern}},
          "matches", "No matches found", FsTree::kGlobMatches};
  if (s.dialect.weft) f.args["limit"] = s.dialect.glob_page;
  return f;
}

// Calls the tool until it has given everything (weft pages with
// next_cursor); returns the summed round trips in ms. Checks the count.
double FetchAll(Session& s, const Dialect& d, const Fetch& fetch, int* pages) {
  double total_us = 0;
  size_t items = 0;
  *pages = 0;
  json args = fetch.args;
  for (;;) {
    double us = 0;
    json result = s.Call(fetch.tool, args, kLongCallTimeout, &us);
    total_us += us;
    ++*pages;
    items += CountItems(d, result, fetch.field, fetch.empty_text);
    const json next = result.value("structuredContent", json::object()).value("next_cursor", json());
    if (!d.weft || !next.is_string() || next.get<std::string>().empty()) break;
    args["cursor"] = next;
  }
  if (items != fetch.want) {
    throw BenchError(fetch.tool + " " + fetch.args.dump() + " gave " + std::to_string(items) + " items, expected " +
                     std::to_string(fetch.want));
  }
  return total_us / 1000.0;
}

// Changes directory `dir` (a file created and removed), then lets 100 ms
// pass: a server that keeps a listing while the directory is unchanged (weft
// does, for the pages after the first) must read it again, as it would a
// directory it never listed.
void TouchDir(const std::string& dir) {
  std::string scratch = dir + "/.weft-bench-touch";
  int fd = ::open(scratch.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || ::close(fd) != 0 || ::unlink(scratch.c_str()) != 0) {
    throw BenchError("cannot create and remove " + scratch + ": " + std::strerror(errno));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

// One untimed fetch per server, then opt.repeats timed ones, the servers
// taking turns; the median goes to `ms`. With `touch`, the listed directory
// is changed before every fetch (TouchDir), so no fetch finds it cached.
void FetchPhase(std::vector<Subject>& subjects, const Options& opt, Fetch (*what)(const Subject&, const Options&),
                double Figures::*ms, int Figures::*pages, const std::string& touch = "") {
  std::vector<std::vector<double>> times(subjects.size());
  for (int i = 0; i <= opt.repeats; ++i) {
    Each(subjects, [&](Subject& s, size_t k) {
      if (!touch.empty()) TouchDir(touch);
      double t = FetchAll(*s.session, s.dialect, what(s, opt), &(s.fig.*pages));
      if (i > 0) times[k].push_back(t);
    });
  }
  for (size_t k = 0; k < subjects.size(); ++k) subjects[k].fig.*ms = Median(times[k]);
}

// Runs `argv` to completion with its stdout read into *out (stderr to
// `log_path`); returns its exit status (-1 if killed by a signal).
int RunCapture(const std::vector<std::string>& argv, const std::string& log_path, std::string* out) {
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) throw BenchError(std::string("pipe: ") + std::strerror(errno));
  int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) throw BenchError(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    int null_in = ::open("/dev/null", O_RDONLY);
    ::dup2(null_in, 0);
    ::dup2(pipefd[1], 1);
    if (log >= 0) ::dup2(log, 2);
    ::execvp(cargv[0], cargv.data());
    std::fprintf(stderr, "exec %s: %s\n", cargv[0], std::strerror(errno));
    ::_exit(127);
  }
  ::close(pipefd[1]);
  if (log >= 0) ::close(log);
  out->clear();
  char chunk[65536];
  for (;;) {
    ssize_t got = ::read(pipefd[0], chunk, sizeof(chunk));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    out->append(chunk, static_cast<size_t>(got));
  }
  ::close(pipefd[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Matched lines in `rg --json` output, from its closing summary message.
size_t RgMatchedLines(const std::string& output) {
  size_t end = output.find_last_not_of('\n');
  size_t start = end == std::string::npos ? std::string::npos : output.rfind('\n', end);
  json summary = json::parse(output.substr(start == std::string::npos ? 0 : start + 1), nullptr, false);
  if (!summary.is_object() || summary.value("type", "") != "summary") {
    throw BenchError("rg --json did not end with a summary");
  }
  return summary["data"]["stats"].value("matched_lines", size_t{0});
}

// search_code against `rg --json PATTERN DIR` as a process, alternating, each
// timed end to end (the process from fork to exit, its output read from a
// pipe); medians of opt.search_runs after one untimed run of each.
void SearchPhase(Session& s, const Dialect& d, const Options& opt, const std::string& log_path, Figures& f) {
  const std::vector<std::string> rg = {opt.rg, "--json", FsTree::kSearchPattern, opt.tree + "/" + FsTree::kSearchDir};
  // The CLI's query exactly: a case-sensitive regular expression.
  const json args = {{"pattern", FsTree::kSearchPattern},
                     {"path", TreePath(d, opt, FsTree::kSearchDir)},
                     {"case", "sensitive"},
                     {"limit", d.search_limit}};
  std::vector<double> rg_ms, weft_ms;
  std::string out;
  for (int i = 0; i <= opt.search_runs; ++i) {
    auto t0 = Clock::now();
    int rc = RunCapture(rg, log_path, &out);
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (rc != 0) throw BenchError(opt.rg + " exited with " + std::to_string(rc) + " (is ripgrep installed?)");
    f.rg_matches = RgMatchedLines(out);
    double us = 0;
    json result = s.Call("search_code", args, kLongCallTimeout, &us);
    f.search_matches = CountItems(d, result, "matches", "");
    if (f.search_matches != FsTree::kSearchMatches) {
      throw BenchError("search_code gave " + std::to_string(f.search_matches) + " matches in one call, expected " +
                       std::to_string(FsTree::kSearchMatches) + ": " + result.dump().substr(0, 1000));
    }
    if (i == 0) continue;
    rg_ms.push_back(ms);
    weft_ms.push_back(us / 1000.0);
  }
  if (f.rg_matches != FsTree::kSearchMatches) {
    throw BenchError("rg found " + std::to_string(f.rg_matches) + " matching lines, expected " +
                     std::to_string(FsTree::kSearchMatches));
  }
  f.searched = true;
  f.rg_ms = Median(rg_ms);
  f.search_ms = Median(weft_ms);
}

void MeasureAll(std::vector<Subject>& subjects, const Options& opt) {
  std::cerr << "cold starts (" << opt.spawns << " each) ..." << std::endl;
  ColdStarts(subjects, opt);
  StartSessions(subjects);
  std::cerr << opt.reads << " reads of " << FsTree::kReadFile << " each ..." << std::endl;
  ReadPhase(subjects, opt);
  std::cerr << "listing " << FsTree::kListDir << " (" << FsTree::kListEntries << " entries) ..." << std::endl;
  const std::string list_dir = opt.tree + "/" + FsTree::kListDir;
  FetchPhase(subjects, opt, ListFetch, &Figures::list_ms, &Figures::list_pages, list_dir);
  std::cerr << "listing " << FsTree::kListDir << " with sizes ..." << std::endl;
  FetchPhase(subjects, opt, ListSizedFetch, &Figures::list_sized_ms, &Figures::list_sized_pages, list_dir);
  std::cerr << "glob " << FsTree::kGlobPattern << " over " << FsTree::kGlobFiles << " files ..." << std::endl;
  FetchPhase(subjects, opt, GlobFetch, &Figures::glob_ms, &Figures::glob_pages);
  Each(subjects, [&](Subject& s, size_t) { s.fig.rss_after_mib = RssMib(s.session->child().pid()); });
  Each(subjects, [&](Subject& s, size_t) {
    if (!s.dialect.search_code) return;
    std::cerr << s.server->name << ": search_code and " << opt.rg << " over " << FsTree::kSearchDir << " ..."
              << std::endl;
    SearchPhase(*s.session, s.dialect, opt, s.log_path, s.fig);
    s.fig.rss_after_search_mib = RssMib(s.session->child().pid());
  });
  Each(subjects, [&](Subject& s, size_t) { s.session->child().Stop(); });
}

std::string Ratio(double a, double b) { return b > 0 ? weft::bench::Fixed(a / b, 2) : "n/a"; }

void PrintFigures(const Options& opt, const std::vector<Server>& servers, const std::vector<Figures>& figs) {
  struct Row {
    std::string label;
    double Figures::*field;
    int decimals;
  };
  const std::string n = std::to_string(opt.repeats);
  const std::vector<Row> rows = {
      {"cold start to initialize reply, ms (median of " + std::to_string(opt.spawns) + ")",
       &Figures::cold_start_ms, 1},
      {"read 4 KiB: latency p50, us (" + std::to_string(opt.reads) + " sequential calls)", &Figures::read_p50_us, 0},
      {"read 4 KiB: latency p99, us", &Figures::read_p99_us, 0},
      {"read 4 KiB: calls/s, 1 in flight", &Figures::read_calls_per_s, 0},
      {"read 4 KiB: server CPU per call, us (utime+stime)", &Figures::read_cpu_us, 1},
      {"list 10,000 entries, names and types, ms (all pages; median of " + n + ")", &Figures::list_ms, 1},
      {"list 10,000 entries with sizes, ms (all pages; median of " + n + ")", &Figures::list_sized_ms, 1},
      {"glob **/*.c over 20,000 files, ms (median of " + n + ")", &Figures::glob_ms, 1},
      {"server RSS idle after handshake, MiB", &Figures::rss_idle_mib, 1},
      {"server RSS after reads, list and glob, MiB", &Figures::rss_after_mib, 1},
  };
  weft::bench::TextTable table;
  for (const auto& s : servers) table.heads.push_back(s.name);
  for (size_t i = 1; i < servers.size(); ++i) table.heads.push_back(servers[0].name + "/" + servers[i].name);
  for (const auto& r : rows) {
    auto& out = table.rows.emplace_back();
    out.label = r.label;
    for (const auto& f : figs) out.cells.push_back(weft::bench::Fixed(f.*(r.field), r.decimals));
    for (size_t i = 1; i < figs.size(); ++i) out.cells.push_back(Ratio(figs[0].*(r.field), figs[i].*(r.field)));
  }
  std::cout << "\nMCP fs tools over stdio, legacy handshake (" << kProtocolVersion << "), tree " << opt.tree
            << "\n\n"
            << table.Render();
  for (size_t i = 0; i < figs.size(); ++i) {
    if (figs[i].weft) {
      std::cout << servers[i].name << ": fs_list in " << figs[i].list_pages << " pages, fs_glob in "
                << figs[i].glob_pages << (figs[i].glob_pages == 1 ? " page" : " pages") << "\n";
    }
  }
  std::cout << "Times run from a request's write to its reply's last byte (the client's JSON decoding\n"
               "excluded); calls/s is the inverse of the mean. Ratios are subject/peer: below 1 is\n"
               "better except for calls/s.\n";
  for (size_t i = 0; i < figs.size(); ++i) {
    const Figures& f = figs[i];
    if (!f.searched) continue;
    weft::bench::TextTable search;
    search.heads = {servers[i].name + " search_code", "rg CLI", "ratio"};
    search.rows.push_back({"time, ms (median of " + std::to_string(opt.search_runs) + ")",
                           {weft::bench::Fixed(f.search_ms, 1), weft::bench::Fixed(f.rg_ms, 1),
                            Ratio(f.search_ms, f.rg_ms)}});
    search.rows.push_back(
        {"matching lines", {std::to_string(f.search_matches), std::to_string(f.rg_matches), ""}});
    search.rows.push_back(
        {"server RSS after the searches, MiB", {weft::bench::Fixed(f.rss_after_search_mib, 1), "", ""}});
    std::cout << "\nsearch_code against `" << opt.rg << " --json " << FsTree::kSearchPattern << " DIR` ("
              << FsTree::kSearchFiles << " files of " << FsTree::kSearchFileBytes / 1000
              << " kB; rg timed from fork to exit)\n\n"
              << search.Render();
  }
}

struct Target {
  std::string what, goal;
  double value;
  bool pass;
};

// The targets for the subject `w` against the peer `p` (the
// ratio-based ones only when there is a peer).
std::vector<Target> Targets(const Figures& w, const Figures* p) {
  std::vector<Target> t;
  auto ratio = [&](const char* what, double mine, double theirs, double at_most) {
    double r = theirs > 0 ? mine / theirs : 0;
    t.push_back({what, "<= " + weft::bench::Fixed(at_most, 2) + "x", r, theirs > 0 && r <= at_most});
  };
  if (p != nullptr) {
    ratio("read p50 / peer", w.read_p50_us, p->read_p50_us, 0.3);
    ratio("read p99 / peer", w.read_p99_us, p->read_p99_us, 0.2);
    double cps = p->read_calls_per_s > 0 ? w.read_calls_per_s / p->read_calls_per_s : 0;
    t.push_back({"read calls/s / peer", ">= 4.00x", cps, cps >= 4});
  }
  t.push_back({"read server CPU per call, ms", "<= 0.10", w.read_cpu_us / 1000, w.read_cpu_us <= 100});
  if (p != nullptr) {
    double speedup = w.glob_ms > 0 ? p->glob_ms / w.glob_ms : 0;
    t.push_back({"glob speed-up over peer", ">= 100x", speedup, speedup >= 100});
    ratio("list names and types / peer", w.list_ms, p->list_ms, 0.6);
    ratio("list with sizes / peer", w.list_sized_ms, p->list_sized_ms, 0.6);
  }
  t.push_back({"cold start, ms", "<= 20", w.cold_start_ms, w.cold_start_ms <= 20});
  if (p != nullptr) {
    ratio("RSS idle / peer", w.rss_idle_mib, p->rss_idle_mib, 0.15);
    ratio("RSS loaded / peer", w.rss_after_mib, p->rss_after_mib, 0.25);
  }
  if (w.searched) ratio("search_code / rg CLI", w.search_ms, w.rg_ms, 1.25);
  return t;
}

void PrintTargets(const std::vector<Server>& servers, const std::vector<Figures>& figs) {
  const Figures* peer = nullptr;
  std::string against;
  for (size_t i = 1; i < figs.size() && peer == nullptr; ++i) {
    if (!figs[i].weft) {
      peer = &figs[i];
      against = " against " + servers[i].name;
    }
  }
  weft::bench::TextTable table;
  table.heads = {"goal", "measured", "result"};
  int missed = 0;
  for (const Target& t : Targets(figs[0], peer)) {
    const std::string value = weft::bench::Fixed(t.value, t.value < 1 ? 3 : 2);
    table.rows.push_back({t.what, {t.goal, value, t.pass ? "pass" : "FAIL"}});
    missed += t.pass ? 0 : 1;
  }
  std::cout << "\nTargets for " << servers[0].name << against << ":\n\n"
            << table.Render() << (missed == 0 ? "all met" : std::to_string(missed) + " missed") << "\n";
}

[[noreturn]] void Usage(const char* why) {
  if (why != nullptr) std::cerr << "weft_fs_bench: " << why << "\n";
  const Options d;
  std::cerr << "usage: weft_fs_bench [OPTIONS] --tree DIR -- NAME CMD [ARGS...] [-- NAME CMD [ARGS...]]...\n"
               "Generates a test tree in DIR (or reuses one it made before) and measures MCP\n"
               "servers serving it over stdio: weft's fs_read/fs_list/fs_glob/search_code or the\n"
               "reference server's read_text_file/list_directory/search_files (found with\n"
               "tools/list). The first server is the subject; the tables show its ratio to the\n"
               "others and the targets it must meet.\n"
               "Options:\n"
            << "  --tree DIR       the tree every server serves (required; new, empty or ours)\n"
            << "  --rg PATH        ripgrep to compare search_code with (default " << d.rg << ")\n"
            << "  --spawns N       cold starts to time (default " << d.spawns << ")\n"
            << "  --warmup N       untimed reads before measuring (default " << d.warmup << ")\n"
            << "  --reads N        timed sequential reads (default " << d.reads << ")\n"
            << "  --repeats N      timed listings and globs (default " << d.repeats << ")\n"
            << "  --search-runs N  timed search_code calls and rg runs (default " << d.search_runs << ")\n";
  std::exit(why == nullptr ? 0 : 2);
}

int PositiveInt(const char* flag, const char* value) {
  return weft::bench::PositiveIntFlag(flag, value, [](const char* why) { Usage(why); });
}

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  Options opt;
  int i = 1;
  for (; i < argc && std::strcmp(argv[i], "--") != 0; ++i) {
    std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    if (a == "--tree" && v != nullptr) opt.tree = v;
    else if (a == "--rg" && v != nullptr) opt.rg = v;
    else if (a == "--spawns") opt.spawns = PositiveInt("--spawns", v);
    else if (a == "--warmup") opt.warmup = PositiveInt("--warmup", v);
    else if (a == "--reads") opt.reads = PositiveInt("--reads", v);
    else if (a == "--repeats") opt.repeats = PositiveInt("--repeats", v);
    else if (a == "--search-runs") opt.search_runs = PositiveInt("--search-runs", v);
    else if (a == "-h" || a == "--help") Usage(nullptr);
    else Usage(("unknown option or missing value: " + a).c_str());
    ++i;
  }
  if (opt.tree.empty()) Usage("--tree DIR is required");
  std::string why;
  const std::vector<Server> servers = weft::bench::ParseServers(argc, argv, i, &why);
  if (servers.empty()) Usage(why.c_str());

  try {
    auto t0 = Clock::now();
    weft::bench::EnsureFsTree(opt.tree);
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (s > 0.5) std::cerr << "generated the test tree in " << opt.tree << " (" << weft::bench::Fixed(s, 1) << " s)\n";
  } catch (const BenchError& e) {
    std::cerr << "weft_fs_bench: " << e.what() << "\n";
    return 1;
  }
  std::vector<Subject> subjects(servers.size());
  for (size_t k = 0; k < servers.size(); ++k) {
    subjects[k].server = &servers[k];
    subjects[k].log_path = weft::bench::NewTempFile(servers[k].name);
  }
  int rc = 0;
  try {
    MeasureAll(subjects, opt);
  } catch (const ServerFailure& e) {
    const Subject& s = subjects[e.index()];
    std::cerr << "weft_fs_bench: " << s.server->name << ": " << e.what() << "\n";
    std::string text = weft::bench::FileTail(s.log_path, 4000);
    if (!text.empty()) std::cerr << "--- " << s.server->name << " stderr ---\n" << text << "\n";
    rc = 1;
  } catch (const BenchError& e) {
    std::cerr << "weft_fs_bench: " << e.what() << "\n";
    rc = 1;
  }
  std::vector<Figures> figs;
  for (Subject& s : subjects) {
    s.session.reset();  // stops the server, if a failure left it running
    ::unlink(s.log_path.c_str());
    figs.push_back(s.fig);
  }
  if (rc != 0) return rc;
  PrintFigures(opt, servers, figs);
  PrintTargets(servers, figs);
  return 0;
}
