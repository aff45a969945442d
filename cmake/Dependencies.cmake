# Third-party dependencies, all from Debian 12 packages (see scripts/deps.sh).
find_package(Threads REQUIRED)
find_package(nlohmann_json 3.11 CONFIG REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(SQLite3 REQUIRED)  # SQLite::SQLite3: the durable state in weft.db (core/store)

# Debian builds cpp-httplib as a compiled library (libcpp-httplib.so, with
# OpenSSL, zlib and brotli support); its pkg-config file carries the matching
# CPPHTTPLIB_* defines, which change class layouts and must not be dropped.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib>=0.11)
add_library(weft_httplib INTERFACE)
target_link_libraries(weft_httplib INTERFACE PkgConfig::HTTPLIB)

# valijson is header-only; Debian ships no CMake config for it.

find_path(VALIJSON_INCLUDE_DIR valijson/validator.hpp REQUIRED)
add_library(weft_valijson INTERFACE)
target_include_directories(weft_valijson SYSTEM INTERFACE ${VALIJSON_INCLUDE_DIR})
target_compile_definitions(weft_valijson INTERFACE VALIJSON_USE_EXCEPTIONS=1)

if(WEFT_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()

# libfuse 3 (low-level API) for core/fuse, the FUSE mount of a workspace.
pkg_check_modules(FUSE3 REQUIRED IMPORTED_TARGET fuse3)

# libseccomp for core/agents: the strict profile's filter, exported as BPF.
pkg_check_modules(SECCOMP REQUIRED IMPORTED_TARGET libseccomp>=2.5)
