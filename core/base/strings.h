// String building for messages.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace weft {

// The parts joined in order. Appending into one string also sidesteps GCC
// 12's -Wrestrict false positives on some std::string operator+ forms.
inline std::string StrCat(std::initializer_list<std::string_view> parts) {
  size_t size = 0;
  for (std::string_view p : parts) size += p.size();
  std::string out;
  out.reserve(size);
  for (std::string_view p : parts) out.append(p);
  return out;
}

}  // namespace weft
