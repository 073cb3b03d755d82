# Which LLVM libraries Kiln links, and how.
#
# Kiln links LLVM's static component libraries rather than the shared
# libLLVM-19.so: a process that merely links the shared library spends
# 15-20 ms in the dynamic loader before main, which would dominate
# `kiln run` of a small program (see docs/PERFORMANCE.md, start-up row).
set(_kiln_llvm_components
    core support irreader bitreader bitwriter passes ipo vectorize
    instcombine scalaropts transformutils analysis target targetparser
    mc object codegen asmprinter executionengine orcjit orcdebugging jitlink
    orctargetprocess orcshared)
foreach(t IN LISTS KILN_LLVM_TARGETS)
  list(APPEND _kiln_llvm_components ${t}codegen ${t}asmparser ${t}desc ${t}info)
endforeach()
llvm_map_components_to_libnames(KILN_LLVM_LIBS ${_kiln_llvm_components})

add_library(kiln_llvm INTERFACE)
target_include_directories(kiln_llvm SYSTEM INTERFACE ${LLVM_INCLUDE_DIRS})
separate_arguments(_kiln_llvm_defs NATIVE_COMMAND ${LLVM_DEFINITIONS})
target_compile_definitions(kiln_llvm INTERFACE ${_kiln_llvm_defs})
target_link_libraries(kiln_llvm INTERFACE ${KILN_LLVM_LIBS})

# The targets compiled in, as a list the core initialises by name.
set(KILN_TARGET_INIT "")
foreach(t IN LISTS KILN_LLVM_TARGETS)
  string(APPEND KILN_TARGET_INIT "KILN_TARGET(${t})")
endforeach()
