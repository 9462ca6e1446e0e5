# kdive's layers as one static library each, bottom to top (docs/architecture.md, "Layers"):
# util, memory, debuginfo, kernel, session, shell. A layer links only the layers below it.
#
# kdive_layer(<library> DIR <src subdirectory> SOURCES <file>... [LINKS <target>...])
#   Builds <library> from src/<DIR>. Its headers (src/<DIR>/*.hpp, spelled "<DIR>/name.hpp")
#   are reachable from this layer and the ones above it only: each layer has its own include
#   root in the build tree holding just a link to its own directory, so a lower layer that
#   includes a higher layer's header fails to compile.
#   Also builds <library>_link_check: an executable with the whole of <library> (every
#   object, not only what main() reaches) linked against nothing but the layers below. A call
#   from this layer into a higher one is an undefined symbol there, and the build fails.
function(kdive_layer library)
  cmake_parse_arguments(PARSE_ARGV 1 LAYER "" "DIR" "SOURCES;LINKS")
  add_library(${library} STATIC ${LAYER_SOURCES})

  set(root ${PROJECT_BINARY_DIR}/layer-include/${LAYER_DIR})
  file(MAKE_DIRECTORY ${root})
  file(CREATE_LINK ${PROJECT_SOURCE_DIR}/src/${LAYER_DIR} ${root}/${LAYER_DIR} SYMBOLIC)
  target_include_directories(${library} PUBLIC ${root})
  target_link_libraries(${library} PUBLIC ${LAYER_LINKS})

  set(check ${library}_link_check)
  add_executable(${check} ${PROJECT_SOURCE_DIR}/cmake/link_check.cpp)
  target_link_libraries(${check} PRIVATE ${library})
  # --whole-archive loads every object of the layer; the layers below are plain archives
  # after it, so only they can resolve its references. --no-undefined says so explicitly
  # (an executable's default, but the point of this target).
  target_link_options(${check} PRIVATE
    "LINKER:--no-undefined,--whole-archive,$<TARGET_FILE:${library}>,--no-whole-archive")
  set_property(GLOBAL APPEND PROPERTY KDIVE_LAYERS ${library})
endfunction()

# The link option that puts every object of every layer into an executable (kdive, for the
# plugins): the list of layers kdive_layer() made, in the order they were made.
function(kdive_whole_archive_layers target)
  get_property(layers GLOBAL PROPERTY KDIVE_LAYERS)
  set(files "")
  foreach(layer IN LISTS layers)
    list(APPEND files "$<TARGET_FILE:${layer}>")
  endforeach()
  list(JOIN files "," files)
  target_link_libraries(${target} PRIVATE ${layers})
  target_link_options(${target} PRIVATE "LINKER:--whole-archive,${files},--no-whole-archive")
endfunction()
