# Third-party dependencies, all from Debian 12 packages (see scripts/deps.sh).
find_package(Threads REQUIRED)
find_package(nlohmann_json 3.11 CONFIG REQUIRED)
find_package(OpenSSL REQUIRED)   # libcrypto: HMAC-SHA256 for MRTR requestState
find_package(PkgConfig REQUIRED)

# cpp-httplib and valijson are header-only; Debian ships no CMake config for them.
find_path(HTTPLIB_INCLUDE_DIR httplib.h REQUIRED)
add_library(weft_httplib INTERFACE)
target_include_directories(weft_httplib SYSTEM INTERFACE ${HTTPLIB_INCLUDE_DIR})

find_path(VALIJSON_INCLUDE_DIR valijson/validator.hpp REQUIRED)
add_library(weft_valijson INTERFACE)
target_include_directories(weft_valijson SYSTEM INTERFACE ${VALIJSON_INCLUDE_DIR})
target_compile_definitions(weft_valijson INTERFACE VALIJSON_USE_EXCEPTIONS=1)

if(WEFT_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
