# weft_embed_files(OUT <file.cc> NAMESPACE <ns> FUNCTION <fn> BASE <dir> FILES <f>...)
# Generates a .cc defining `const std::vector<EmbeddedFile>& <ns>::<fn>()` with each
# file's path (relative to BASE) and contents, so data files ship inside the binary.
function(weft_embed_files)
  cmake_parse_arguments(E "" "OUT;NAMESPACE;FUNCTION;BASE" "FILES" ${ARGN})
  add_custom_command(
    OUTPUT ${E_OUT}
    COMMAND ${CMAKE_COMMAND} -DOUT=${E_OUT} -DNS=${E_NAMESPACE} -DFN=${E_FUNCTION}
            -DBASE=${E_BASE} "-DFILES=${E_FILES}"
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedFilesScript.cmake
    DEPENDS ${E_FILES} ${PROJECT_SOURCE_DIR}/cmake/EmbedFilesScript.cmake
    COMMENT "Embedding ${E_FUNCTION}"
    VERBATIM)
endfunction()
