# TestCageLocalArchive.cmake - build-time helper (not installed): static
# archives whose internal names cannot clash with a user's.
#
# testcage_local_archive(TARGET OUTPUT_NAME OBJLIB...) makes TARGET, a static
# library holding one object: a partial link (ld -r) of the object libraries'
# objects in which every hidden symbol is then made local. Internal calls
# were resolved by the partial link, so a test that defines its own
# wire_encode() or tc_now() links next to the archive without a clash, as it
# does next to the shared library (which exports only the testcage_* API).
function(testcage_local_archive target output_name)
  set(merged ${CMAKE_CURRENT_BINARY_DIR}/${target}.merged.o)
  set(objects)
  foreach(lib IN LISTS ARGN)
    list(APPEND objects $<TARGET_OBJECTS:${lib}>)
  endforeach()
  add_custom_command(OUTPUT ${merged}
    COMMAND ${CMAKE_LINKER} -r -o ${merged} ${objects}
    COMMAND ${CMAKE_OBJCOPY} --localize-hidden ${merged}
    DEPENDS ${objects} ${ARGN}
    COMMAND_EXPAND_LISTS VERBATIM
    COMMENT "Merging ${output_name}.a (internal symbols made local)")
  set_source_files_properties(${merged} PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)
  add_library(${target} STATIC ${merged})
  set_target_properties(${target} PROPERTIES OUTPUT_NAME ${output_name} LINKER_LANGUAGE C)
endfunction()
