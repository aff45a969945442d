// Finding weft mounts from /proc/self/mountinfo.
#include "mcp/cli/weft_mount.h"

#include <sys/stat.h>

#include "core/base/files.h"

namespace weft::cli {
namespace {

// proc(5) escapes space, tab, newline and backslash in paths as \ooo.
std::string Unescape(std::string_view field) {
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size()) {
      std::string_view oct = field.substr(i + 1, 3);
      bool digits = oct[0] >= '0' && oct[0] <= '3' && oct[1] >= '0' && oct[1] <= '7' &&
                    oct[2] >= '0' && oct[2] <= '7';
      if (digits) {
        out += static_cast<char>((oct[0] - '0') * 64 + (oct[1] - '0') * 8 + (oct[2] - '0'));
        i += 3;
        continue;
      }
    }
    out += field[i];
  }
  return out;
}

std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    size_t end = line.find(' ', i);
    if (end == std::string_view::npos) end = line.size();
    if (end > i) out.push_back(line.substr(i, end - i));
    i = end + 1;
  }
  return out;
}

}  // namespace

std::vector<std::string> FuseMountPoints(std::string_view mountinfo) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < mountinfo.size()) {
    size_t end = mountinfo.find('\n', start);
    if (end == std::string_view::npos) end = mountinfo.size();
    std::vector<std::string_view> f = Fields(mountinfo.substr(start, end - start));
    start = end + 1;
    // id parent maj:min root mount_point options [optional…] - fstype source super_options
    size_t dash = 6;
    while (dash < f.size() && f[dash] != "-") ++dash;
    if (f.size() < 5 || dash + 1 >= f.size()) continue;
    std::string_view type = f[dash + 1];
    if (type == "fuse" || type == "fuseblk" || type.substr(0, 5) == "fuse.") out.push_back(Unescape(f[4]));
  }
  return out;
}

std::optional<std::string> EnclosingMount(const std::vector<std::string>& mount_points, const std::string& dir) {
  std::optional<std::string> best;
  for (const std::string& mp : mount_points) {
    bool encloses = mp == "/" || dir == mp || (dir.size() > mp.size() && dir.compare(0, mp.size(), mp) == 0 &&
                                               dir[mp.size()] == '/');
    if (encloses && (!best || mp.size() > best->size())) best = mp;
  }
  return best;
}

bool HasWeftDir(const std::string& root) {
  struct stat st {};
  return ::stat((root + "/.weft/venoms").c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::optional<std::string> FindWeftMount(const std::string& dir) {
  Result<std::string> mountinfo = ReadWholeFile("/proc/self/mountinfo");
  if (!mountinfo.ok()) return std::nullopt;
  std::optional<std::string> root = EnclosingMount(FuseMountPoints(*mountinfo), dir);
  if (!root || !HasWeftDir(*root)) return std::nullopt;
  return root;
}

}  // namespace weft::cli
