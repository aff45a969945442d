// Cryptographically secure random bytes from the kernel (getrandom).
#pragma once

#include <cstddef>
#include <string>

namespace weft {

// Fills `out[0..n)`; aborts if the kernel's generator is unavailable (it never is on Linux >= 3.17).
void SecureRandomBytes(void* out, size_t n);
// `n` random bytes as 2n lowercase hex characters.
std::string RandomHex(size_t n);

}  // namespace weft
